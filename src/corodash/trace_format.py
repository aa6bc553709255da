"""The JSON Lines trace: agent tuples become numbered events, written in batches.

Every event has ``seq`` (0, 1, 2... without gaps), ``t`` (seconds since the agent started),
``kind``, ``task`` and ``name``; see docs/trace-format.md for the fields of each kind.
"""

from __future__ import annotations

from base64 import b64decode
from pathlib import Path
from typing import IO, Any

import msgspec

from corodash.protocol import MAIN_TASK, SPAWN, TaskLabeler, expand_batch, name_spawn
from corodash.records import FORM_OFFSET, FORM_TUPLE, SIZE, decode

try:
    from corodash.agent._speedups import jsonl as _compiled_jsonl
except ImportError:  # not built: every event is expanded and encoded in Python
    _compiled_jsonl = None


class TraceBuilder:
    """Numbers events in arrival order and names their tasks: what expanding an event needs
    to know of the events before it (labels are given in spawn order, ``TaskLabeler``)."""

    def __init__(self, t0: float = 0.0) -> None:
        self.seq = 0
        self.t0 = t0
        self.names: dict[int, str] = {MAIN_TASK: "main"}
        self.labeler = TaskLabeler()
        self._json_names: dict[int, bytes] = {MAIN_TASK: b'"main"'}
        """Task names as JSON, for the compiled writer of switch lines."""

    def expand(self, batch: list[list[Any]]) -> list[dict[str, Any]]:
        events = expand_batch(batch, self.seq, self.t0, self.names, self.labeler)
        self.seq += len(batch)
        return events

    def encode(self, records: bytes, extras: list, encoder: msgspec.json.Encoder) -> bytes:
        """A batch (records.py) as JSON Lines, numbered from here. Switch records are
        written by the compiled module when it is built; the events kept as tuples are
        expanded here and their lines put in their places."""
        count = len(records) // SIZE
        if _compiled_jsonl is None or len(extras) == count:
            events = self.expand(decode(records, extras))
            self._learn_names(events, encoder)
            return encoder.encode_lines(events)
        lines: list[bytes] = []
        if extras:
            forms = records[FORM_OFFSET::SIZE]
            events = expand_batch(extras, 0, self.t0, self.names, self.labeler)
            at = -1
            for event in events:
                at = forms.find(FORM_TUPLE, at + 1)
                event["seq"] = self.seq + at
            self._learn_names(events, encoder)
            lines = encoder.encode_lines(events).splitlines(keepends=True)
        out = _compiled_jsonl(records, lines, self.seq, self.t0, self._json_names)
        self.seq += count
        return out

    def _learn_names(self, events: list[dict[str, Any]], encoder: msgspec.json.Encoder) -> None:
        """The JSON names of the tasks ``events`` spawn, for later batches' switch lines
        (whichever way their own batch was written)."""
        for event in events:
            if event["kind"] == "spawn":
                self._json_names[event["task"]] = encoder.encode(event["name"])

    def skip(self, tuples: list, count: int) -> None:
        """Pass over ``count`` events, ``tuples`` those kept as tuples, without expanding
        them: only their spawns matter to later events."""
        for event in tuples:
            if event[0] == SPAWN:
                name_spawn(event, self.names, self.labeler)
        self.seq += count

    def state(self) -> dict[str, Any]:
        """What a recording's checkpoint keeps, to expand from there."""
        return {
            "seq": self.seq,
            "names": list(self.names.items()),
            "taken": list(self.labeler.taken),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any], t0: float) -> TraceBuilder:
        builder = cls(t0)
        builder.seq = state["seq"]
        builder.names = {int(task): name for task, name in state["names"]}
        builder.labeler.taken = set(state["taken"])
        return builder


def output_bytes(event: dict[str, Any]) -> bytes:
    """What an output event's line was, byte for byte, with the end that closed it."""
    raw = event.get("bytes")
    body = b64decode(raw) if raw is not None else event["text"].encode("utf-8", "surrogateescape")
    return body + event.get("end", "\n").encode()


class TraceWriter:
    """Appends events to a JSONL file, one whole line per event, flushed per batch."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._file: IO[bytes] = open(self.path, "wb")  # noqa: SIM115 - closed in close()
        self._encoder = msgspec.json.Encoder()
        self.builder = TraceBuilder()

    def begin(self, header: dict[str, Any]) -> None:
        """Times count from the header's ``t0`` (as a recording's header says it)."""
        self.builder.t0 = header["t0"]

    def write_records(self, records: bytes, extras: list) -> None:
        """A batch as the agent sent it (records.py), numbered here."""
        self._file.write(self.builder.encode(records, extras, self._encoder))
        self._file.flush()

    def close(self) -> None:
        self._file.close()


def read_trace(path: str | Path) -> list[dict[str, Any]]:
    """All events of a trace file, JSONL or recording (for tests and tools)."""
    from corodash.recording_file import RecordingReader, is_recording

    if is_recording(path):
        with RecordingReader(path) as reader:
            return [event for block in reader.events() for event in block]
    with open(path, "rb") as handle:
        return [msgspec.json.decode(line) for line in handle if line.strip()]
