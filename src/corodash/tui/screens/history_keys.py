"""History mode: step back and forth through the run's events, every pane showing the state
as of the event looked at, while the live program stays stopped.

A mixin of DashboardScreen. The events come from the recording the dashboard writes of its
run (or the one ``corodash view`` opened); history.py computes the state as of any of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.binding import Binding

from corodash.event_sources import Event, EventSource, RecordingSource
from corodash.history import History, HistoryError, past_where
from corodash.model import RunModel
from corodash.recording_file import RecordingError
from corodash.session import RunOptions
from corodash.tui.bridge import SessionBridge
from corodash.tui.stop_follower import StopFollower
from corodash.tui.widgets.logs_view import LogsView
from corodash.tui.widgets.status_line import StatusLine
from corodash.tui.widgets.task_table import TaskTable
from corodash.tui.widgets.timeline_view import TimelineView

PAST_EVENT_LINES = 300
"""Events shown up to the one looked at (each step redraws them: the live pane keeps more)."""
PAST_OUTPUT_LINES = 300
IN_HISTORY = "history is on show: . returns to the present, where the program runs"
RECORDING_ONLY = "a recording: nothing runs (corodash SCRIPT runs a program)"

HISTORY_BINDINGS = [
    Binding("left_square_bracket", "history_back", "back", show=False),
    Binding("right_square_bracket", "history_forward", "fwd", show=False),
    Binding("full_stop", "history_present", "present", show=False),
    Binding("left_curly_bracket", "history_task(-1)", "task back", show=False),
    Binding("right_curly_bracket", "history_task(1)", "task fwd", show=False),
    Binding("less_than_sign", "history_switch(-1)", "switch back", show=False),
    Binding("greater_than_sign", "history_switch(1)", "switch fwd", show=False),
    Binding("apostrophe", "history_origin", "value origin", show=False),
]


class HistoryKeys:
    options: RunOptions
    model: RunModel
    table: TaskTable
    logs: LogsView
    follower: StopFollower
    bridge: SessionBridge | None
    run_state: str
    recording: EventSource | None
    """``corodash view``: the recording on show (no program runs)."""

    past: History | None = None
    past_on_show = False
    _past_frame: tuple[dict[str, Any], str] | None = None
    """The frame pane's last history content: redrawn only when it changes."""
    _past_source: tuple[str | None, int | None] | None = None
    """The source pane's last history place: likewise."""

    # -- keys ----------------------------------------------------------------------------

    def action_history_back(self) -> None:
        self._move(lambda past: past.back())

    def action_history_forward(self) -> None:
        past = self.past
        at_the_end = past is not None and past.cursor >= past.count() - 1
        if self.past_on_show and at_the_end and self.recording is None:
            self.action_history_present()  # stepping past the last event: the present
            return
        self._move(lambda past: past.forward())

    def action_history_task(self, direction: int) -> None:
        task = self.table.selected
        if task is None:
            self.notify("select a task first", severity="warning")
            return

        def of_task(event: Event) -> bool:
            return event["task"] == task or event.get("from") == task

        what = f"event of task {task}"
        if direction < 0:
            self._move(lambda past: past.previous_where(of_task, what))
        else:
            self._move(lambda past: past.next_where(of_task, what))

    def action_history_switch(self, direction: int) -> None:
        def switch(event: Event) -> bool:
            return event["kind"] == "switch"

        if direction < 0:
            self._move(lambda past: past.previous_where(switch, "switch"))
        else:
            self._move(lambda past: past.next_where(switch, "switch"))

    def action_history_origin(self) -> None:
        self._move(lambda past: past.origin())

    def action_history_present(self) -> None:
        if self.recording is not None:
            self._move(lambda past: past.present())
            return
        if not self.past_on_show:
            self.notify("already at the present", severity="information")
            return
        self.past_on_show = False
        self._past_frame = self._past_source = None  # the live panes draw over them
        self.refresh_bindings()
        self.logs.panes.show_present(self.model.labels)
        self.query_one(TimelineView).cursor = None
        self.table.reset(self.model)
        self.table.sync()
        self._dirty = True
        self._after_stop(None)

    # -- moving --------------------------------------------------------------------------

    def _move(self, move: Callable[[History], Event]) -> None:
        past = self._open_past()
        if past is None:
            return
        selected = self.table.selected
        try:
            if not self.past_on_show:
                past.present()
            move(past)
        except HistoryError as error:
            self.notify(str(error), severity="warning", timeout=4)
            if self.past_on_show:
                return
        if not self.past_on_show:
            self.past_on_show = True
            self.refresh_bindings()
        self.show_past(selected)

    def _open_past(self) -> History | None:
        if self.past is not None:
            return self.past
        if self.recording is not None:
            self.past = History(self.recording)
            return self.past
        if self.run_state == "running":
            self.command("pause")
            self.notify("history: the program is paused while you look at its past")
        if self.bridge is None:
            self.notify("no run to look back on", severity="warning")
            return None
        try:
            self.past = History(RecordingSource(self.bridge.trace_path))
        except (RecordingError, OSError):  # not even its header yet
            self.notify("no events yet to look back on", severity="warning")
            return None
        return self.past

    def forget_past(self) -> None:
        """A new run: its history starts empty."""
        self.past = None
        self.past_on_show = False

    def show_past(self, selected: int | None = None) -> None:
        """Every pane as of the history's cursor."""
        past = self.past
        if past is None:
            return
        model = past.model()
        event = past.event(past.cursor)
        if self.table.model is model:  # folded on in place: the rows are redrawn from it
            self.table.sync()
        else:
            self.table.reset(model)
        for task in (selected, event["task"]):
            if task is not None and self.table.select(task, quiet=True):
                break
        self.show_past_task()  # here, not through a message: one frame for the whole step
        labels = model.labels
        self.logs.panes.show_past(
            past.recent(PAST_EVENT_LINES), past.output(PAST_OUTPUT_LINES), labels
        )
        self.query_one(TimelineView).cursor = event["t"]
        self.query_one(TimelineView).refresh()
        self.query_one(StatusLine).show_history(
            past.cursor, past.count(), event["t"], self.options.shown_name, self.recording is None
        )

    def show_past_task(self) -> None:
        """The selected task's frame and line as of the cursor."""
        past = self.past
        task = self.table.selected
        row = past.model().tasks.get(task) if past is not None and task is not None else None
        if row is None:
            self.follower.clear()
            self._past_frame = self._past_source = None
            return
        where: dict[str, Any] = past_where(row)
        seen = self.follower.seen_before(row.id, past.cursor)
        if seen is not None and (row.locals_seq is None or seen[0] >= row.locals_seq):
            at, shown = seen  # the frame a stop showed, more recent than any recorded
            where.update(locals=shown["locals"], locals_recorded=True, locals_seq=at)
            where.update(stack=shown["stack"], frame=shown.get("frame"))
        if (where, row.label) != self._past_frame:  # most steps leave a task's frame alone
            self._past_frame = (where, row.label)
            self.follower.frame.show(where, row.label)
        if (row.file, row.line) != self._past_source:
            self._past_source = (row.file, row.line)
            self.follower.source.show(row.file, row.line)

    def drive_refusal(self) -> str | None:
        """Why nothing can be driven now (a recording, or history on show); None if it can."""
        if self.recording is not None:
            return RECORDING_ONLY
        return IN_HISTORY if self.past_on_show else None
