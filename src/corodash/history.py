"""A cursor over a run's events, and the state of every task as of any one of them.

The state after event N is the reducer (model.py) folded over events 0 to N. Folding from
the start at every step would cost the whole run, so a fold keeps a copy of the model every
few thousand events (more apart when there are many tasks, to bound memory): a step back
folds at most that many events from the copy before it. Folds go as far as they are asked,
so opening a run costs nothing until a point is looked at.

UI-free: the dashboard's history mode, ``corodash view`` and ``repl RECORDING`` all use it.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterator
from typing import Any

from corodash.describe import suspension
from corodash.event_sources import Event, EventSource
from corodash.model import RunModel, TaskRow
from corodash.records import WholeRun
from corodash.source_excerpt import source_excerpt

CHECKPOINT_EVENTS = 4096
"""Events between two kept models, at least."""
CHECKPOINT_ROWS = 4
"""...and at least this many times the number of tasks: a model copy costs a row a task."""
READ_CHUNK = 4096
NEAR_EVENTS = 256
"""While a fold goes from a kept model to the point looked at, it also keeps a copy this
often (and at least every 4 events a task): the next step back folds at most this many."""


class HistoryError(Exception):
    """A move that cannot be made (no such event, nothing before); the message says why."""


class History:
    def __init__(self, source: EventSource) -> None:
        self.source = source
        self._kept: list[tuple[int, RunModel]] = [(0, RunModel())]
        """(n, the model after events 0 to n - 1), in order of n."""
        self._folded = 0
        """Events folded at least once: checkpoints and the output index reach this far."""
        self._outputs = array("q")
        """Numbers of the output events among the events folded."""
        self._latest: tuple[int, RunModel] = (0, RunModel())
        """The last model computed (private: folded on in place when the cursor moves on)."""
        self._near: list[tuple[int, RunModel]] = []
        """Copies made by the last fold from a kept model, in order: steps back start there."""
        self.cursor = -1
        """The event looked at: the state shown is the one right after it."""

    # -- the cursor ----------------------------------------------------------------------

    def count(self) -> int:
        return self.source.count()

    def goto(self, seq: int) -> Event:
        """Move to event ``seq``; that event."""
        count = self.count()
        if not 0 <= seq < count:
            raise HistoryError(
                f"no event {seq}: this run has events 0 to {count - 1}"
                if count
                else "this run has no events"
            )
        self.cursor = seq
        return self.event(seq)

    def present(self) -> Event:
        """Move to the last event."""
        return self.goto(self.count() - 1)

    def back(self, steps: int = 1) -> Event:
        if self.cursor <= 0:
            raise HistoryError("at the first event: nothing before it")
        return self.goto(max(0, self.cursor - steps))

    def forward(self, steps: int = 1) -> Event:
        if self.cursor >= self.count() - 1:
            raise HistoryError("at the last event: nothing after it")
        return self.goto(min(self.count() - 1, self.cursor + steps))

    def event(self, seq: int) -> Event:
        return self.source.read(seq, seq + 1)[0]

    # -- moves by what happened ----------------------------------------------------------

    def previous_where(self, wanted: Callable[[Event], bool], what: str) -> Event:
        """Move to the nearest event before the cursor that is ``wanted``."""
        for event in self._backwards(self.cursor - 1):
            if wanted(event):
                return self.goto(event["seq"])
        raise HistoryError(f"no {what} before event {self.cursor}")

    def next_where(self, wanted: Callable[[Event], bool], what: str) -> Event:
        for event in self._forwards(self.cursor + 1):
            if wanted(event):
                return self.goto(event["seq"])
        raise HistoryError(f"no {what} after event {self.cursor}")

    def origin(self) -> Event:
        """Where the value of the yield (or return) at the cursor came from: the resume of
        the same generator, by ``next()`` or ``send()``, that ran it to there."""
        event = self.event(self.cursor)
        if event["kind"] not in ("yield", "return", "raise") or event["task"] is None:
            raise HistoryError(
                f"event {self.cursor} ({event['kind']}) holds no value that came from a resume: "
                "go to a yield, return or raise first"
            )
        task = event["task"]
        for earlier in self._backwards(self.cursor - 1):
            if earlier["task"] != task:
                continue
            if earlier["kind"] in ("resume", "spawn"):
                return self.goto(earlier["seq"])
            if earlier["kind"] == "switch":
                return self.goto(earlier["seq"])
        raise HistoryError(f"nothing resumed task {task} before event {self.cursor}")

    def find(self, text: str, line: Callable[[Event], str]) -> Event:
        """Move to the next event after the cursor whose line (as ``line`` tells it)
        contains ``text``, case-insensitively; from the start when nothing after has it."""
        needle = text.lower()
        for start in (self.cursor + 1, 0):
            for event in self._forwards(start):
                if needle in line(event).lower():
                    return self.goto(event["seq"])
        raise HistoryError(f"no event says {text!r}")

    def recent(self, how_many: int) -> list[Event]:
        """The last ``how_many`` events up to the cursor, the cursor's included."""
        stop = self.cursor + 1
        return self.source.read(max(0, stop - how_many), stop) if how_many > 0 else []

    def output(self, how_many: int) -> list[Event]:
        """The last ``how_many`` output events up to the cursor."""
        self.model()  # folds up to the cursor, which indexes its output
        stop = bisect_right(self._outputs, self.cursor)
        wanted = self._outputs[max(0, stop - how_many) : stop]
        return [self.event(seq) for seq in wanted]

    # -- the state -----------------------------------------------------------------------

    def model(self) -> RunModel:
        """The tasks as of the cursor (the caller must not change it)."""
        return self.model_after(self.cursor)

    def model_after(self, seq: int) -> RunModel:
        """The model after events 0 to ``seq`` (none when ``seq`` is -1)."""
        wanted = seq + 1
        done, latest = self._latest
        if not done <= wanted < done + self._spacing(latest):
            done, latest = self._nearest_before(wanted)
        self._fold(latest, done, wanted)
        self._latest = (wanted, latest)
        return latest

    def _nearest_before(self, wanted: int) -> tuple[int, RunModel]:
        """A copy of the model closest before event ``wanted``: from the last fold's near
        copies, else from a kept one, folded to ``wanted`` in steps that leave near copies
        for the steps back to come."""
        near = self._near
        at = bisect_right(near, wanted, key=lambda kept: kept[0]) - 1
        if at >= 0 and wanted - near[at][0] <= self._spacing(near[at][1]):
            done, model = near[at]
            return done, model.copy()
        at = bisect_right(self._kept, wanted, key=lambda kept: kept[0]) - 1
        done, kept = self._kept[at]
        model = kept.copy()
        far = wanted - self._spacing(model)
        if far > done:  # in one pass (a fold per step would read the file again each time)
            self._fold(model, done, far)
            done = far
        step = max(NEAR_EVENTS, CHECKPOINT_ROWS * len(model.tasks))
        self._near = []
        while wanted - done > step:
            self._fold(model, done, done + step)
            done += step
            self._near.append((done, model.copy()))
        return done, model

    def _fold(self, model: RunModel, start: int, stop: int) -> None:
        runs = getattr(self.source, "runs", None)
        for first, run in runs(start, stop) if runs else self._chunks(start, stop):
            if isinstance(run, WholeRun):  # whole records only, as columns
                if first >= self._folded:
                    self._note_whole(first, run.count, model)
                model.apply_whole(run)
                continue
            for event in run:
                seq = event["seq"]
                if seq >= self._folded:
                    self._note(seq, event, model)
                model.apply(event)

    def _chunks(self, start: int, stop: int) -> Iterator[tuple[int, list[Event]]]:
        while start < stop:
            events = self.source.read(start, min(stop, start + READ_CHUNK))
            if not events:
                return
            yield start, events
            start += len(events)

    def _note(self, seq: int, event: Event, model: RunModel) -> None:
        """Index a first-folded event: a kept model before it if due, its output."""
        if seq - self._kept[-1][0] >= self._spacing(model):
            self._kept.append((seq, model.copy()))
        if event["kind"] == "output":
            self._outputs.append(seq)
        self._folded = seq + 1

    def _note_whole(self, first: int, count: int, model: RunModel) -> None:
        if first - self._kept[-1][0] >= self._spacing(model):
            self._kept.append((first, model.copy()))
        self._folded = first + count

    def _spacing(self, model: RunModel) -> int:
        return max(CHECKPOINT_EVENTS, CHECKPOINT_ROWS * len(model.tasks))

    def _backwards(self, seq: int) -> Iterator[Event]:
        while seq >= 0:
            start = max(0, seq - READ_CHUNK + 1)
            yield from reversed(self.source.read(start, seq + 1))
            seq = start - 1

    def _forwards(self, seq: int) -> Iterator[Event]:
        for _, events in self._chunks(seq, self.count()):
            yield from events


def past_where(row: TaskRow) -> dict[str, Any]:
    """A task's place as of the cursor: the line it was last seen at (a yield's, its
    start's), its source, and its locals where they were recorded."""
    where: dict[str, Any] = {
        "task": row.id,
        "name": row.name,
        "label": row.label,
        "state": row.state,
        "stack": [],
        "locals": {},
        "locals_recorded": False,
        "source": None,
        "waiting": suspension(row.kind, row.state, row.line),
    }
    if row.locals is not None:
        where.update(locals=row.locals, locals_recorded=True, locals_seq=row.locals_seq)
    if row.file and row.line:
        where["stack"] = [
            {"file": row.file, "line": row.line, "function": row.function, "user": True}
        ]
        where["source"] = source_excerpt(row.file, row.line)
        where["frame"] = 0
    return where
