"""Runs as Chrome Trace Event JSON, which Perfetto and chrome://tracing open.

One process per run (so a patched and an unpatched run sit in one file), one track per task;
running stretches and blocks are complete ("X") slices, yields and switches instants. The
file is written as the events stream by (a recording of any size, in little memory).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

import msgspec

from corodash.records import FORM_OFFSET, FORM_TUPLE, SIZE, decode
from corodash.timeline import Lane, TimelineFolder
from corodash.trace_format import TraceBuilder

try:
    from corodash.agent._speedups import chrome_switches
except ImportError:  # not built: every event goes through the timeline folder
    chrome_switches = None

TRACK_OFFSET = 1000
"""Track ids are task ids plus this, so that no track id equals a process id."""
FLUSH_EVERY = 20_000
"""Records encoded and written at a time."""


class ChromeWriter:
    """Writes Chrome Trace Event JSON to ``out``, one run after another."""

    def __init__(self, out: IO[bytes]) -> None:
        self._out = out
        self._encode = msgspec.json.Encoder().encode
        self._records: list[dict[str, Any]] = []
        self._written = 0
        self._pid = 0
        self._lanes: dict[int, tuple[bytes, bytes, bytes]] = {}
        """Each lane's name, category and "switch to NAME" as JSON, for chrome_switches."""
        out.write(b'{"displayTimeUnit":"ms","traceEvents":[')

    def run(self, label: str, events: Iterable[dict[str, Any]]) -> None:
        folder = self._begin(label)
        folder.feed(events)
        folder.finish()
        self._flush()

    def run_records(self, label: str, blocks: Iterable[tuple[int, bytes, list]], t0: float) -> None:
        """A recording's run, block by block (recording_file.py): runs of whole switch
        records are written by the compiled module, every other event goes through the
        timeline folder, which shares its state with it."""
        folder = self._begin(label)
        builder = TraceBuilder(t0)
        for _, records, extras in blocks:
            tuples = iter(extras)
            forms = records[FORM_OFFSET::SIZE]
            count = len(records) // SIZE
            at = 0
            while at < count:
                if chrome_switches is None or forms[at] == FORM_TUPLE:
                    raw = next(tuples) if forms[at] == FORM_TUPLE else None
                    folder.feed(builder.expand([raw or decode(_record(records, at), [])[0]]))
                    at += 1
                    continue
                end = forms.find(FORM_TUPLE, at)
                end = count if end < 0 else end
                self._flush()
                text, stopped, last_t = chrome_switches(
                    records, at, end, t0, self._pid, folder.open_since, self._lanes
                )
                if text:
                    self._out.write(text)
                    self._written += 1
                    folder.end = max(folder.end, last_t)
                builder.seq += stopped - at
                if stopped < end:  # not a switch, or its tasks have no lane yet: the folder's
                    folder.feed(builder.expand(decode(_record(records, stopped), [])))
                    stopped += 1
                at = stopped
        folder.finish()
        self._flush()

    def _begin(self, label: str) -> TimelineFolder:
        self._pid += 1
        self._lanes.clear()
        name = {"name": label}
        self._add({"ph": "M", "name": "process_name", "pid": self._pid, "tid": 0, "args": name})
        return TimelineFolder(self)

    def close(self) -> None:
        self._flush()
        self._out.write(b"]}\n")

    # -- TimelineSink --------------------------------------------------------------------

    def lane(self, lane: Lane) -> None:
        encode = self._encode
        self._lanes[lane.task] = (
            encode(lane.name),
            encode(lane.kind),
            encode(f"switch to {lane.name}"),
        )
        self._add(
            {
                "ph": "M",
                "name": "thread_name",
                "pid": self._pid,
                "tid": lane.task + TRACK_OFFSET,
                "args": {"name": f"{lane.name} ({lane.kind} {lane.task})"},
            }
        )

    def span(self, lane: Lane, start: float, end: float) -> None:
        self._add(
            {
                "ph": "X",
                "name": lane.name,
                "cat": lane.kind,
                "pid": self._pid,
                "tid": lane.task + TRACK_OFFSET,
                "ts": _us(start),
                "dur": _us(end - start),
                "args": {"task": lane.task},
            }
        )

    def mark(self, lane: Lane, t: float, text: str) -> None:
        self._add(
            {
                "ph": "i",
                "s": "t",
                "name": text,
                "cat": "event",
                "pid": self._pid,
                "tid": lane.task + TRACK_OFFSET,
                "ts": _us(t),
                "args": {"task": lane.task},
            }
        )

    def block(self, lane: Lane, start: float, end: float, text: str) -> None:
        self._add(
            {
                "ph": "X",
                "name": "blocked the hub",
                "cat": "block",
                "pid": self._pid,
                "tid": lane.task + TRACK_OFFSET,
                "ts": _us(start),
                "dur": _us(end - start),
                "args": {"what": text},
            }
        )

    # -- writing -------------------------------------------------------------------------

    def _add(self, record: dict[str, Any]) -> None:
        self._records.append(record)
        if len(self._records) >= FLUSH_EVERY:
            self._flush()

    def _flush(self) -> None:
        if not self._records:
            return
        body = self._encode(self._records)[1:-1]  # the list's items, without its brackets
        self._out.write(b"," + body if self._written else body)
        self._written += len(self._records)
        self._records.clear()


def write_chrome(out: IO[bytes], runs: Iterable[tuple[str, Iterable[dict[str, Any]]]]) -> None:
    """``runs``: (label, trace events) pairs."""
    writer = ChromeWriter(out)
    for label, events in runs:
        writer.run(label, events)
    writer.close()


def _record(records: bytes, at: int) -> bytes:
    return records[at * SIZE : (at + 1) * SIZE]


def _us(seconds: float) -> float:
    return round(seconds * 1e6, 3)
