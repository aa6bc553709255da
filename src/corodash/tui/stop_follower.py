"""What the dashboard shows of the task it follows: the stopped task's stack, locals and
source line, asked of the agent once a stop (``tasks``, then ``where``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from corodash.describe import suspension
from corodash.model import RunModel
from corodash.tui.widgets.frame_view import FrameView
from corodash.tui.widgets.source_view import SourceView
from corodash.tui.widgets.task_table import TaskTable

Ask = Callable[..., bool]
"""The screen's ``command(name, *args, then=...)``."""
LIVE_STATES = ("running", "ended", "starting")
"""Run states in which the agent cannot show a frame: only the table's location is known."""


class StopFollower:
    def __init__(self, table: TaskTable, frame: FrameView, source: SourceView, ask: Ask) -> None:
        self.table = table
        self.frame = frame
        self.source = source
        self.ask = ask
        self.seen: dict[int, list[tuple[int, dict[str, Any]]]] = {}
        """Task -> (the event before, the frame shown) at each stop: history shows locals
        seen at a stop as of that stop."""

    @property
    def model(self) -> RunModel:
        return self.table.model

    def clear(self) -> None:
        self.source.show(None, None)
        self.frame.show(None)

    def seen_before(self, task: int, seq: int) -> tuple[int, dict[str, Any]] | None:
        """The last frame of ``task`` shown at a stop at or before event ``seq``."""
        earlier = [seen for seen in self.seen.get(task, ()) if seen[0] <= seq]
        return earlier[-1] if earlier else None

    def after_stop(self, follow: int | None, run_state: Callable[[], str]) -> None:
        """Refresh task states and locations, then follow the stopped task (selecting it
        shows its frame, so ``where`` is asked once a stop)."""

        def tasks_arrived(data: dict[str, Any]) -> None:
            self.model.merge_snapshot(data["tasks"])
            self.table.sync()
            if follow is None or not self.table.select(follow):
                self.show_selected(run_state())

        self.ask("tasks", then=tasks_arrived)

    def show_selected(self, run_state: str) -> None:
        """The selected task's frame and line: asked of the agent when it is stopped."""
        task = self.table.selected
        if task is None or run_state in LIVE_STATES:
            self._show_row_line(task)
            return

        def where_arrived(where: dict[str, Any]) -> None:
            row = self.model.tasks.get(task)
            if row is not None:  # one word per state in every pane: the table's
                where = {**where, "state": row.state}
                line = where["stack"][-1]["line"] if where["stack"] else row.line
                where["waiting"] = suspension(row.kind, row.state, line)
            self.frame.show(where, row.label if row else None)
            self.seen.setdefault(task, []).append((sum(self.model.counts.values()) - 1, where))
            source = where.get("source")
            if source:
                self.source.show(source["file"], source["line"])
            else:
                self._show_row_line(task)

        self.ask("where", task, then=where_arrived)

    def _show_row_line(self, task: int | None) -> None:
        row = self.model.tasks.get(task) if task is not None else None
        self.source.show(row.file if row else None, row.line if row else None)
