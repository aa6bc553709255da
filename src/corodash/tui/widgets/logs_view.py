"""The dashboard's lower right: the Events, Output and Timeline tabs, and the line a user
types for the program's ``input()``.

It only presents: events come in with ``add``, a typed line goes out as a ``LineTyped``
message for the screen to send, and the filters and timeline are redrawn here.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, TabbedContent, TabPane

from corodash.timeline import build_timeline
from corodash.tui.log_panes import EVENT_WINDOW, LogPanes
from corodash.tui.widgets.tail_log import TailLog
from corodash.tui.widgets.timeline_view import TimelineView

TIMELINE_PERIOD = 0.5
"""Seconds between rebuilds of the timeline while events arrive."""


class LogsView(Vertical):
    @dataclass
    class LineTyped(Message):
        """The user typed a line for the program's stdin."""

        text: str

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.panes = LogPanes(
            TailLog(max_lines=EVENT_WINDOW, id="events"),
            TailLog(max_lines=EVENT_WINDOW, id="output"),
        )
        self.stdin = Input(placeholder="a line for input(), then Enter", id="stdin")
        self.stdin.cursor_blink = False  # a quiet screen while the program waits
        self._timeline_at = 0.0
        self._timeline_stale = False

    def compose(self) -> ComposeResult:
        with TabbedContent(id="logs"):
            with TabPane("Events", id="events-tab"):
                yield self.panes.events
            with TabPane("Output", id="output-tab"):
                yield self.panes.output
                yield self.stdin
            with TabPane("Timeline", id="timeline-tab"):
                yield TimelineView(id="timeline")

    @property
    def tabs(self) -> TabbedContent:
        return self.query_one("#logs", TabbedContent)

    def show_tab(self, tab: str) -> None:
        """``events``, ``output`` or ``timeline``."""
        self.tabs.active = f"{tab}-tab"
        if tab == "timeline":
            self._timeline_at = 0.0
            self._timeline_stale = True
            self.refresh_timeline()

    def clear(self) -> None:
        self.panes.clear()

    def add(self, events: list[dict[str, Any]], labels: Mapping[int, str]) -> None:
        self.panes.add(events, labels)
        self._timeline_stale = True

    def add_output_lines(self, lines: list[str]) -> None:
        """Lines corodash adds to the output (a traceback), shown at once."""
        self.panes.write_output(lines)
        self.show_tab("output")

    def ask_for_input(self) -> None:
        self.show_tab("output")
        self.stdin.focus()

    def refresh_timeline(self) -> None:
        """Rebuilt from the recent events, only while its tab shows, twice a second at most."""
        if not self._timeline_stale or self.tabs.active != "timeline-tab":
            return
        now = time.monotonic()
        if now - self._timeline_at < TIMELINE_PERIOD:
            return
        self._timeline_at = now
        self._timeline_stale = False
        self.query_one(TimelineView).show(build_timeline(self.panes.recent))

    def refilter(self, labels: Mapping[int, str], task_label: str | None) -> None:
        """Show the events again under the panes' filters (``task_label``: the task one)."""
        panes = self.panes
        panes.refilter(labels)
        who = f"task {task_label}" if task_label else "all tasks"
        self.tabs.border_title = f"{who}, {panes.title}"

    @on(Input.Submitted, "#stdin")
    def _typed(self, message: Input.Submitted) -> None:
        message.stop()
        self.post_message(self.LineTyped(message.value))

    def typed(self, text: str) -> None:
        """The line went to the program: show it where a terminal would echo it."""
        self.panes.typed(text)
        self.stdin.clear()
