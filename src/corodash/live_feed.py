"""The dashboard's side of the live stream: each batch of records (records.py) folded into
the run's model, and expanded into trace events only where a pane can show them.

Under a flood, expanding every record into a dict cost the controller more than the traced
program spent making it. So a long run of whole records (switches, plain resumes, small
yields) is folded as columns (``records.WholeRun``) and kept as records; what is expanded is
the batch's last events, which the events pane shows (with a filter on, its last events the
filter shows), and every event kept as a tuple (spawns, output, diagnostics, values: any of
them may change a pane). UI-free.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any

from corodash.model import RunModel
from corodash.protocol import expand_batch
from corodash.records import FORM_BINARY, FORM_OFFSET, FORM_TUPLE, SIZE, WholeRun, decode
from corodash.trace_format import TraceBuilder

Event = dict[str, Any]
MIN_COLUMNS = 64
"""A run of whole records shorter than this is expanded: for a few, columns cost more."""


class WholeRecords:
    """A run of whole records, kept as they came until somebody asks for their events."""

    __slots__ = ("first", "names", "records", "t0")

    def __init__(self, first: int, records: bytes, t0: float, names: dict[int, str]) -> None:
        self.first = first
        self.records = records
        self.t0 = t0
        self.names = names

    def __len__(self) -> int:
        return len(self.records) // SIZE

    def events(self) -> list[Event]:
        return expand_batch(decode(self.records, []), self.first, self.t0, self.names)

    def drop_first(self, count: int) -> None:
        self.first += count
        self.records = self.records[count * SIZE :]


Piece = list[Event] | WholeRecords


class Folded:
    """What one batch brought: the events expanded, in order (``events``), of which the last
    ``tail`` are those the events pane may show (with no filter, the batch's last events
    without a gap); ``skipped`` events it would show came before those and were not
    expanded (it counts them); the whole batch in order as ``pieces``."""

    __slots__ = ("events", "pieces", "skipped", "tail")

    def __init__(self, events: list[Event], tail: int, skipped: int, pieces: list[Piece]) -> None:
        self.events = events
        self.tail = tail
        self.skipped = skipped
        self.pieces = pieces

    def last_events(self) -> list[Event]:
        return self.events[len(self.events) - self.tail :]


class LiveFeed:
    """Folds a run's batches, in arrival order, into its model (on the thread that owns the
    model)."""

    def __init__(self, model: RunModel) -> None:
        self.model = model
        self.builder = TraceBuilder()

    def fold(
        self,
        records: bytes,
        extras: list,
        t0: float,
        tail: int,
        shown: bytes | None = None,
    ) -> Folded:
        """Fold one batch in and expand its tuples, and of the rest: with no filter, its
        last ``tail`` events; with one, its last ``tail`` whole records the filter shows
        (``shown``: ``RecordFilter.whole_matches``)."""
        self.builder.t0 = t0
        count = len(records) // SIZE
        marks = bytearray(records[FORM_OFFSET::SIZE])  # FORM_TUPLE: expanded
        if shown is None:
            cut = max(0, count - tail)
            marks[cut:] = bytes([FORM_TUPLE]) * (count - cut)
            events, pieces, _ = self._fold_marked(records, extras, t0, marks, None)
            return Folded(events, count - cut, cut, pieces)
        at = count
        for _ in range(tail):
            at = shown.rfind(1, 0, at)
            if at < 0:
                break
            marks[at] = FORM_TUPLE
        events, pieces, skipped = self._fold_marked(records, extras, t0, marks, shown)
        return Folded(events, len(events), skipped, pieces)

    def _fold_marked(
        self, records: bytes, extras: list, t0: float, marks: bytearray, shown: bytes | None
    ) -> tuple[list[Event], list[Piece], int]:
        """Fold the batch: records marked FORM_TUPLE are expanded, and so are runs of the
        others too short for columns. Also: how many records folded as columns the
        filter would show (all of them, with ``shown`` None)."""
        count = len(marks)
        events: list[Event] = []
        pieces: list[Piece] = []
        taken = skipped = 0  # taken: tuples expanded so far
        start = at = 0  # start: the first record not folded yet
        while at < count:
            end = marks.find(FORM_TUPLE, at)
            end = count if end < 0 else end
            if end - at >= MIN_COLUMNS:
                taken = self._expand(records, extras, start, at, taken, events, pieces)
                whole = WholeRecords(
                    self.builder.seq, records[at * SIZE : end * SIZE], t0, self.builder.names
                )
                self.model.apply_whole(WholeRun(whole.records, t0))
                self.builder.seq += len(whole)
                pieces.append(whole)
                skipped += len(whole) if shown is None else shown.count(1, at, end)
                start = end
            following = marks.find(FORM_BINARY, end)
            at = count if following < 0 else following
        self._expand(records, extras, start, count, taken, events, pieces)
        return events, pieces, skipped

    def _expand(
        self,
        records: bytes,
        extras: list,
        start: int,
        stop: int,
        taken: int,
        events: list[Event],
        pieces: list[Piece],
    ) -> int:
        """Expand and fold records ``start`` to ``stop - 1``; the tuples taken after them."""
        if start >= stop:
            return taken
        part = records[start * SIZE : stop * SIZE]
        tuples = part[FORM_OFFSET::SIZE].count(FORM_TUPLE)
        expanded = self.builder.expand(decode(part, extras[taken : taken + tuples]))
        self.model.apply_all(expanded)
        events.extend(expanded)
        pieces.append(expanded)
        return taken + tuples


class RecentEvents:
    """The run's last ``limit`` events, for re-filtering the events pane and drawing the
    timeline: runs of whole records stay records until their events are asked for."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._pieces: deque[Piece] = deque()
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Event]:
        for piece in self._pieces:
            yield from piece.events() if isinstance(piece, WholeRecords) else piece

    def add(self, pieces: list[Piece]) -> None:
        for piece in pieces:
            if len(piece):
                self._pieces.append(piece)
                self._count += len(piece)
        excess = self._count - self.limit
        while excess > 0:
            first = self._pieces[0]
            if len(first) <= excess:
                self._pieces.popleft()
                dropped = len(first)
            elif isinstance(first, WholeRecords):
                first.drop_first(excess)
                dropped = excess
            else:
                self._pieces[0] = first[excess:]
                dropped = excess
            self._count -= dropped
            excess -= dropped

    def at(self, seq: int) -> Event | None:
        """The event numbered ``seq``, if it is among them."""
        for piece in self._pieces:
            first = piece.first if isinstance(piece, WholeRecords) else piece[0]["seq"]
            if first <= seq < first + len(piece):
                events = piece.events() if isinstance(piece, WholeRecords) else piece
                return events[seq - first]
        return None

    def clear(self) -> None:
        self._pieces.clear()
        self._count = 0
