"""Random access to a run's events, wherever they are kept: a binary recording, a JSON Lines
trace, or the recording the dashboard writes while its program runs.

History (history.py) asks a source for ``count()`` and ``read(start, stop)`` only, so the
same stepping works on a live run and after the fact. A source never holds every event in
memory: a JSONL source keeps each line's offset, a recording source its index of blocks.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Protocol

import msgspec

from corodash.recording_file import RecordingError, RecordingReader, is_recording
from corodash.records import SIZE, WholeRun

Event = dict[str, Any]
CACHED_BLOCKS = 4


class EventSource(Protocol):
    def count(self) -> int:
        """How many events there are now (a live source grows)."""
        ...

    def read(self, start: int, stop: int) -> list[Event]:
        """Events ``start`` to ``stop - 1`` (fewer at the end)."""
        ...


class ListSource:
    """Events already in memory (tests, small traces)."""

    def __init__(self, events: list[Event]) -> None:
        self.events = events

    def count(self) -> int:
        return len(self.events)

    def read(self, start: int, stop: int) -> list[Event]:
        return self.events[max(0, start) : max(0, stop)]


class JsonlSource:
    """A JSONL trace, one event per line; lines still being written are indexed when they
    are complete (a trace ``corodash trace --out FILE.jsonl`` is still writing)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._file: IO[bytes] = open(self.path, "rb")  # noqa: SIM115 - closed in close()
        self._offsets = array("q", [0])
        """Where each complete line starts, and one past the last: ``count()`` lines."""
        self._decode = msgspec.json.Decoder().decode

    def close(self) -> None:
        self._file.close()

    def count(self) -> int:
        self._index_new_lines()
        return len(self._offsets) - 1

    def read(self, start: int, stop: int) -> list[Event]:
        stop = min(stop, self.count())
        if start >= stop:
            return []
        start = max(0, start)
        self._file.seek(self._offsets[start])
        data = self._file.read(self._offsets[stop] - self._offsets[start])
        return [self._decode(line) for line in data.splitlines()]

    def _index_new_lines(self) -> None:
        handle = self._file
        handle.seek(self._offsets[-1])
        at = self._offsets[-1]
        while True:
            chunk = handle.read(1 << 20)
            if not chunk:
                return
            cut = chunk.rfind(b"\n")
            if cut < 0:
                return
            base = at
            found = chunk.find(b"\n")
            while 0 <= found <= cut:
                self._offsets.append(base + found + 1)
                found = chunk.find(b"\n", found + 1)
            at = base + cut + 1
            handle.seek(at)


class RecordingSource:
    """A binary recording (docs/recording.md), read a block at a time. Reading on from the
    block last read continues the same pass over the file; a jump starts again at the
    checkpoint before it. A recording without an index (cut short, or the dashboard's own,
    still being written) is indexed by a scan, which each ``count()`` takes further."""

    def __init__(self, path: str | Path) -> None:
        self.reader = RecordingReader(path)
        self._growing = self.reader.index() is None
        self._starts = self.reader.block_starts()
        self._count = self.reader.event_count()
        self._t0 = self.reader.header.get("t0", 0.0)
        self._cache: OrderedDict[int, list[Event]] = OrderedDict()
        """The blocks read last, by first event: stepping reads the same ones again."""
        self._stream: Iterator[list[Event]] | None = None
        self._stream_next = -1
        """The first event of the block the stream gives next."""

    def close(self) -> None:
        self.reader.close()

    def count(self) -> int:
        if self._growing:
            self._count = self.reader.scan().events
        return self._count

    def read(self, start: int, stop: int) -> list[Event]:
        stop = min(stop, self._count)
        start = max(0, start)
        out: list[Event] = []
        while start < stop:
            first, block = self._block_at(start)
            out.extend(block[start - first : stop - first])
            start = first + len(block)
        return out

    def runs(self, start: int, stop: int) -> Iterator[tuple[int, WholeRun | list[Event]]]:
        """Events ``start`` to ``stop - 1`` for a fold: (first, the events), or (first, the
        records as columns) where a block holds only whole records (records.py)."""
        stop = min(stop, self._count)
        if start >= stop:
            return
        first = self._starts[bisect_right(self._starts, start) - 1] if self._starts else 0
        cached = self._cache.get(first)
        if cached is not None and stop <= first + len(cached):  # a step within one block
            yield start, cached[start - first : stop - first]
            return
        for first, records, events in self.reader.blocks(start):
            if first >= stop:
                return
            lo, hi = max(start, first) - first, min(stop, first + len(records) // SIZE) - first
            if events is None:
                yield first + lo, WholeRun(records[lo * SIZE : hi * SIZE], self._t0)
            else:
                self._remember(first, events)
                yield first + lo, events[lo:hi]

    def _block_at(self, seq: int) -> tuple[int, list[Event]]:
        first = self._starts[bisect_right(self._starts, seq) - 1]
        block = self._cache.get(first)
        if block is not None:
            self._cache.move_to_end(first)
            return first, block
        if self._stream is None or first != self._stream_next:
            self._stream = self.reader.events(first)
        block = next(self._stream)
        self._stream_next = first + len(block)
        self._remember(first, block)
        return first, block

    def _remember(self, first: int, block: list[Event]) -> None:
        self._cache[first] = block
        self._cache.move_to_end(first)
        if len(self._cache) > CACHED_BLOCKS:
            self._cache.popitem(last=False)


class SourceError(Exception):
    """A file that holds no trace corodash can read; the message says which and why."""


def open_source(path: str | Path) -> JsonlSource | RecordingSource:
    """The events of a recording or a JSONL trace file."""
    path = Path(path)
    if not path.exists():
        raise SourceError(f"{path}: no such file")
    if path.is_dir():
        raise SourceError(f"{path}: is a directory, not a recording")
    if is_recording(path):
        try:
            return RecordingSource(path)
        except RecordingError as error:
            raise SourceError(str(error)) from None
    source = JsonlSource(path)
    try:
        first = source.read(0, 1)
    except (msgspec.DecodeError, UnicodeDecodeError):
        first = [None]
    if source.count() and not (isinstance(first[0], dict) and "seq" in first[0]):
        source.close()
        raise SourceError(f"{path}: neither a corodash recording nor a JSON Lines trace")
    return source


def is_trace_file(path: str | Path) -> bool:
    """Whether ``path`` names a trace to open (a recording, or a ``.jsonl`` file) rather
    than a program to run."""
    return is_recording(path) or str(path).endswith(".jsonl")
