"""The binary recording ``corodash trace`` writes: the agent's records as they came, in
blocks, with an index. docs/recording.md is the reference.

A file is ``MAGIC``, then frames: a ``u32`` length (little-endian), a one-byte type and a
msgpack payload. The header frame comes first; then blocks of at most ``BLOCK_EVENTS``
events, with a checkpoint of the task names and labels known so far before the first block
and about every ``CHECKPOINT_EVERY`` events (reading can start there); last, the index and
``TRAILER`` (its offset and a mark). A file cut short (its writer was killed) has neither:
the reader scans its frames and stops at the first incomplete one, so everything up to the
last complete block opens.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import msgspec

from corodash.records import FORM_OFFSET, FORM_TUPLE, SIZE, decode
from corodash.trace_format import TraceBuilder

MAGIC = b"corodash-recording\n"
VERSION = 2
READABLE_VERSIONS = (1, 2)
"""Version 2 added whole yield and resume records; a version 1 recording is one without."""
HEADER, BLOCK, CHECKPOINT, INDEX = b"H", b"B", b"C", b"I"
BLOCK_EVENTS = 4096
CHECKPOINT_EVERY = 65_536
"""Events between checkpoints: a checkpoint holds every task's name and label, so that
reading from one costs at most this many events' worth of skipping."""
_FRAME = struct.Struct("<Ic")
_TRAILER = struct.Struct("<Q8s")
TRAILER_MARK = b"cdindex\n"

_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder().decode


class RecordingWriter:
    """Appends blocks of records to a recording file as batches come. The file is created
    at once (a path that cannot be written fails before the program runs); its header is
    written by ``begin``, when the run's start time is known."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._file: IO[bytes] = open(self.path, "wb")  # noqa: SIM115 - closed in close()
        self._file.write(MAGIC)
        self._offset = len(MAGIC)
        self.tasks = TraceBuilder()
        self._blocks: list[list[Any]] = []
        self._checkpoints: list[list[int]] = []
        self._checkpointed = -CHECKPOINT_EVERY
        self._begun = False

    def begin(self, header: dict[str, Any]) -> None:
        """The header: ``t0`` (the agent's start on perf_counter's clock) and what else
        tells the run apart."""
        if not self._begun:
            self._begun = True
            self._frame(HEADER, {**header, "version": VERSION})

    def write_records(self, records: bytes, extras: list) -> None:
        """A batch of records and their tuples (records.py), as blocks."""
        start = 0
        while start < len(records):
            part = records[start : start + BLOCK_EVENTS * SIZE]
            tuples = part[FORM_OFFSET::SIZE].count(FORM_TUPLE)
            self._block(part, extras[:tuples])
            extras = extras[tuples:]
            start += len(part)
        self._file.flush()

    def _block(self, records: bytes, extras: list) -> None:
        tasks = self.tasks
        if tasks.seq - self._checkpointed >= CHECKPOINT_EVERY:
            self._checkpointed = tasks.seq
            self._checkpoints.append([tasks.seq, self._offset])
            self._frame(CHECKPOINT, tasks.state())
        first_t = struct.unpack_from("<d", records)[0]
        self._blocks.append([tasks.seq, self._offset, first_t])
        self._frame(BLOCK, (tasks.seq, records, extras))
        tasks.skip(extras, len(records) // SIZE)

    def _frame(self, kind: bytes, payload: Any) -> None:
        body = _encode(payload)
        self._file.write(_FRAME.pack(len(body), kind) + body)
        self._offset += _FRAME.size + len(body)

    def close(self) -> None:
        """Write the index and the trailer that finds it."""
        if self._file.closed:
            return
        try:
            self.begin({"t0": 0.0})
            at = self._offset
            self._frame(
                INDEX,
                {
                    "events": self.tasks.seq,
                    "blocks": self._blocks,
                    "checkpoints": self._checkpoints,
                },
            )
            self._file.write(_TRAILER.pack(at, TRAILER_MARK))
        finally:
            self._file.close()


class RecordingError(ValueError):
    """Not a corodash recording, or one of a version this corodash cannot read."""


class RecordingReader:
    """Reads a recording, closed or cut short."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._file: IO[bytes] = open(self.path, "rb")  # noqa: SIM115 - closed in close()
        try:
            if self._file.read(len(MAGIC)) != MAGIC:
                raise RecordingError(f"{self.path} is not a corodash recording")
            kind, payload, _ = next(self._frames(len(MAGIC)), (None, None, 0))
            if kind != HEADER or payload.get("version") not in READABLE_VERSIONS:
                raise RecordingError(f"{self.path} is a recording this corodash cannot read")
        except BaseException:
            self._file.close()
            raise
        self.header: dict[str, Any] = payload
        self._index: dict[str, Any] | bool | None = False
        self._scan = _Scan(len(MAGIC))
        """What a scan found in a recording without an index (cut short, or still being
        written): it goes on from where it stopped."""

    def __enter__(self) -> RecordingReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._file.close()

    def index(self) -> dict[str, Any] | None:
        """A closed recording's index: ``events`` (how many), ``blocks`` ([first seq, file
        offset, first time] each) and ``checkpoints`` ([seq, offset] each); None when the
        recording was cut short. Read once."""
        if self._index is False:
            self._index = self._read_index()
        return self._index

    def block_starts(self) -> list[int]:
        """The first event of each complete block (a recording without an index is
        scanned, from where the last scan stopped)."""
        index = self.index()
        if index is not None:
            return [block[0] for block in index["blocks"]]
        return self.scan().blocks

    def event_count(self) -> int:
        """Events in the complete blocks."""
        index = self.index()
        if index is not None:
            return int(index["events"])
        return self.scan().events

    def scan(self) -> _Scan:
        """Index the complete frames written since the last scan: a recording cut short is
        read once, one still being written (the dashboard's own) as it grows."""
        found = self._scan
        for kind, payload, offset in self._frames(found.offset):
            if kind == BLOCK:
                found.blocks.append(payload[0])
                found.events = payload[0] + len(payload[1]) // SIZE
            elif kind == CHECKPOINT:
                found.checkpoints.append([payload["seq"], offset])
            elif kind == INDEX:
                break
            found.offset = self._file.tell()
        return found

    def _read_index(self) -> dict[str, Any] | None:
        handle = self._file
        size = handle.seek(0, 2)
        if size < len(MAGIC) + _TRAILER.size:
            return None
        handle.seek(size - _TRAILER.size)
        at, mark = _TRAILER.unpack(handle.read(_TRAILER.size))
        if mark != TRAILER_MARK:
            return None
        for kind, payload, _ in self._frames(at):
            return payload if kind == INDEX else None
        return None

    def batches(
        self, start: int = 0, at_block: Callable[[int], None] | None = None
    ) -> Iterator[tuple[int, bytes, list]]:
        """(first seq, records, tuples) of each complete block from the one holding event
        ``start``; ``at_block`` as for ``write_jsonl``."""
        for kind, payload, offset in self._frames(self._checkpoint_before(start)):
            if kind == BLOCK:
                if at_block is not None:
                    at_block(offset)
                seq, records = payload[0], payload[1]
                if seq + len(records) // SIZE > start:
                    yield seq, records, payload[2]

    def events(self, start: int = 0) -> Iterator[list[dict[str, Any]]]:
        """The trace events (the JSONL trace's, exactly) from event ``start`` on, a block
        at a time; reading begins at the checkpoint before it, not at the file's start."""
        for seq, _, events in self.blocks(start, expand_whole=True):
            assert events is not None
            yield events[max(0, start - seq) :]

    def blocks(
        self, start: int = 0, expand_whole: bool = False
    ) -> Iterator[tuple[int, bytes, list[dict[str, Any]] | None]]:
        """(first event, records, events) of each block from the one holding ``start``. A
        block of whole records only comes unexpanded (events None) unless ``expand_whole``:
        history folds those from their records, at a fraction of the cost."""
        t0 = self.header.get("t0", 0.0)
        builder = TraceBuilder(t0)
        for kind, payload, _ in self._frames(self._checkpoint_before(start)):
            if kind == CHECKPOINT:
                builder = TraceBuilder.from_state(payload, t0)
            elif kind == BLOCK:
                seq, records, extras = payload
                count = len(records) // SIZE
                if seq + count <= start or not (extras or expand_whole):
                    builder.skip(extras, count)
                    if seq + count > start:
                        yield seq, records, None
                    continue
                yield seq, records, builder.expand(decode(records, extras))

    def write_jsonl(self, out: IO[bytes], at_block: Callable[[int], None] | None = None) -> int:
        """The whole recording as the JSONL trace ``--out FILE.jsonl`` would have written,
        byte for byte; the number of events. ``at_block`` is told each block's offset in
        the file first (an export's progress, and where it may be cancelled)."""
        builder = TraceBuilder(self.header.get("t0", 0.0))
        encoder = msgspec.json.Encoder()
        for kind, payload, offset in self._frames(len(MAGIC)):
            if kind == BLOCK:
                if at_block is not None:
                    at_block(offset)
                out.write(builder.encode(payload[1], payload[2], encoder))
        return builder.seq

    def _checkpoint_before(self, seq: int) -> int:
        """Where to start reading for event ``seq``: the last checkpoint at or before it;
        the first frame without an index."""
        if seq <= 0:
            return len(MAGIC)
        index = self.index()
        best = len(MAGIC)
        for at_seq, offset in index["checkpoints"] if index else self._scan.checkpoints:
            if at_seq > seq:
                break
            best = offset
        return best

    def _frames(self, offset: int) -> Iterator[tuple[bytes, Any, int]]:
        """(type, payload, offset) of each complete frame from ``offset``; stops at the
        first incomplete or unreadable one, and at the index. Each read seeks first: two of
        these may be read in turn (history's stream and a fold) over the one file."""
        handle = self._file
        while True:
            handle.seek(offset)
            head = handle.read(_FRAME.size)
            if len(head) < _FRAME.size:
                return
            size, kind = _FRAME.unpack(head)
            body = handle.read(size)
            if len(body) < size:
                return
            try:
                payload = _decode(body)
            except msgspec.DecodeError:
                return
            yield kind, payload, offset
            if kind == INDEX:
                return
            offset += _FRAME.size + size


class _Scan:
    """A recording's frames as far as scanned: where the next one starts, the first event
    of each block, the checkpoints ([seq, offset]) and the events in all."""

    def __init__(self, offset: int) -> None:
        self.offset = offset
        self.blocks: list[int] = []
        self.checkpoints: list[list[int]] = []
        self.events = 0


def is_recording(path: str | Path) -> bool:
    """Whether ``path`` holds a corodash recording (not a JSONL trace)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(len(MAGIC)) == MAGIC
    except OSError:
        return False
