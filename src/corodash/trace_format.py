"""The JSON Lines trace: agent tuples become numbered events, written in batches.

Every event has ``seq`` (0, 1, 2... without gaps), ``t`` (seconds since the agent started),
``kind``, ``task`` and ``name``; see docs/trace-format.md for the fields of each kind.
"""

from __future__ import annotations

from base64 import b64decode
from pathlib import Path
from typing import IO, Any

import msgspec

from corodash.protocol import MAIN_TASK, PROCESS_NAME, TaskLabeler, expand_batch


class TraceBuilder:
    """Numbers events in arrival order and names their tasks."""

    def __init__(self) -> None:
        self.seq = 0
        self.t0 = 0.0
        self.names: dict[int, str] = {MAIN_TASK: "main"}
        self.labeler = TaskLabeler()

    def expand(self, batch: list[list[Any]]) -> list[dict[str, Any]]:
        events = expand_batch(batch, self.seq, self.t0, self.names, self.labeler)
        self.seq += len(batch)
        return events

    def process_output(self, t: float, stream: str, text: str) -> dict[str, Any]:
        """An OUTPUT event for what reached the agent's own descriptors (a fatal error's
        report: the program's output goes through the agent)."""
        event = {
            "seq": self.seq,
            "t": round(t - self.t0, 7),
            "kind": "output",
            "task": None,
            "name": PROCESS_NAME,
            "stream": stream,
            "text": text,
        }
        self.seq += 1
        return event


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

    def write(self, events: list[dict[str, Any]]) -> None:
        if events:
            self._file.write(self._encoder.encode_lines(events))
            self._file.flush()

    def close(self) -> None:
        self._file.close()


def read_trace(path: str | Path) -> list[dict[str, Any]]:
    """All events of a trace file (for tests and tools)."""
    with open(path, "rb") as handle:
        return [msgspec.json.decode(line) for line in handle if line.strip()]
