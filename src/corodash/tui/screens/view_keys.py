"""The keys that look around without touching the program: the tabs, the filters, search,
the frame pane's chosen frame, the editor and help.

A mixin of DashboardScreen: it reads the screen's panes and model.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import Input

from corodash.model import RunModel
from corodash.tui.log_panes import LogPanes
from corodash.tui.stop_follower import StopFollower
from corodash.tui.widgets.frame_view import FrameView
from corodash.tui.widgets.logs_view import LogsView
from corodash.tui.widgets.task_table import TaskTable
from corodash.tui.widgets.timeline_view import TimelineView

ZOOMABLE = ("left", "source-box", "logs-view")
"""The panes ``z`` fills the screen with: tasks and frame, source, the tabs."""


class ViewKeys:
    past_on_show: bool
    show_past: Callable[[], None]
    model: RunModel
    logs: LogsView
    panes: LogPanes
    table: TaskTable
    follower: StopFollower

    def action_tab(self, tab: str) -> None:
        self.logs.show_tab(tab)

    def action_timeline(self) -> None:
        self.logs.show_tab("timeline")
        self.query_one(TimelineView).focus()

    def action_filter_task(self) -> None:
        panes = self.panes
        panes.filter_task = None if panes.filter_task is not None else self.table.selected
        self._refilter()

    def action_filter_kind(self) -> None:
        self.panes.next_kind_filter()
        self._refilter()

    def action_zoom_pane(self) -> None:
        """The pane that has the keyboard fills the screen (z or escape: back)."""
        if self.maximized is not None:
            self.minimize()
            return
        focused = self.focused
        if focused is not None:
            pane = next((w for w in (focused, *focused.ancestors) if w.id in ZOOMABLE), None)
            if pane is not None:
                self.maximized = pane

    def action_help(self) -> None:
        from corodash.tui.screens.help import open_help

        open_help(self.app)

    def on_frame_view_frame_shown(self, message: FrameView.FrameShown) -> None:
        self.follower.source.show(message.file, message.line)

    def action_edit(self) -> None:
        """The source pane's file in ``$EDITOR``, at its line (the cursor's, if moved)."""
        file, line = self.follower.source.pointed
        if not file or not line:
            self.notify("no source on show: select a task in your code", severity="warning")
            return
        from corodash.tui.editor import open_in_editor

        problem = open_in_editor(self.app, file, line)
        if problem:
            self.notify(problem, severity="error")
        self.follower.source.redraw()  # the file may have changed: r runs the new one

    def action_search(self) -> None:
        self.logs.open_search()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """ "/" is taken before any widget sees it (a priority key): in a text box it is a
        character, not a search."""
        return not (action == "search" and isinstance(self.focused, Input))

    def action_search_previous(self) -> None:
        if self.logs.searching:
            self.logs.search_step(-1)

    def on_logs_view_search_closed(self, message: LogsView.SearchClosed) -> None:
        self.table.focus()
        if message.task is not None:
            self.table.select(message.task)

    def _refilter(self) -> None:
        task = self.panes.filter_task
        row = self.model.tasks.get(task) if task is not None else None
        self.logs.refilter(self.model.labels, row.label if row else None)
        if self.past_on_show:
            self.show_past()
