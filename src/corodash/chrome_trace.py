"""Runs as Chrome Trace Event JSON, which Perfetto and chrome://tracing open.

One process per run (so a patched and an unpatched run sit in one file), one track per task;
running stretches and blocks are complete ("X") slices, yields and switches instants. The
file is written as the events stream by (a recording of any size, in little memory).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

import msgspec

from corodash.timeline import Lane, TimelineFolder

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
        out.write(b'{"displayTimeUnit":"ms","traceEvents":[')

    def run(self, label: str, events: Iterable[dict[str, Any]]) -> None:
        self._pid += 1
        self._add(
            {"ph": "M", "name": "process_name", "pid": self._pid, "tid": 0, "args": {"name": label}}
        )
        folder = TimelineFolder(self)
        folder.feed(events)
        folder.finish()
        self._flush()

    def close(self) -> None:
        self._flush()
        self._out.write(b"]}\n")

    # -- TimelineSink --------------------------------------------------------------------

    def lane(self, lane: Lane) -> None:
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


def _us(seconds: float) -> float:
    return round(seconds * 1e6, 3)
