"""The dashboard's lower right: the Events, Output and Timeline tabs, and the line a user
types for the program's ``input()``.

It only presents: events come in with ``add``, a typed line goes out as a ``LineTyped``
message for the screen to send, and the filters and timeline are redrawn here.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Static, TabbedContent, TabPane

from corodash.live_feed import Folded
from corodash.model import TaskLabels
from corodash.timeline import build_timeline
from corodash.tui.log_panes import EVENT_WINDOW, LogPanes
from corodash.tui.log_search import LogSearch
from corodash.tui.task_colours import EventHighlighter
from corodash.tui.widgets.tail_log import TailLog
from corodash.tui.widgets.timeline_view import TimelineView

SEARCH_HINT = "search the events or output: Enter keeps it, escape closes it"
TIMELINE_PERIOD = 0.5
"""Seconds between rebuilds of the timeline while events arrive."""


class LogsView(Vertical):
    @dataclass
    class LineTyped(Message):
        """The user typed a line for the program's stdin."""

        text: str

    @dataclass
    class SearchClosed(Message):
        """The user left the search box; ``task``: the task of the event it found, if any."""

        task: int | None

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        events = TailLog(max_lines=EVENT_WINDOW, highlight=True, id="events")
        events.highlighter = EventHighlighter()
        self.panes = LogPanes(events, TailLog(max_lines=EVENT_WINDOW, id="output"))
        self.stdin = Input(placeholder="a line for input(), then Enter", id="stdin")
        self.stdin.cursor_blink = False  # a quiet screen while the program waits
        self._timeline_at = 0.0
        self._timeline_stale = False
        self.search = LogSearch()
        self.search_box = Input(placeholder=SEARCH_HINT, id="search")
        self.search_box.cursor_blink = False

    def compose(self) -> ComposeResult:
        yield Static(id="filter-bar")
        with Horizontal(id="search-bar"):
            yield self.search_box
            yield Static(id="search-status")
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

    def add(self, batch: Folded, labels: TaskLabels) -> None:
        self.panes.add(batch, labels)
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

    def refilter(self, labels: TaskLabels, task_label: str | None) -> None:
        """Show the events again under the panes' filters (``task_label``: the task one),
        and say in the filter bar what is left out and which key brings it back."""
        panes = self.panes
        panes.refilter(labels)
        parts = []
        if task_label is not None:
            parts.append(f"task {task_label} (f: all tasks)")
        if panes.kind_filter:
            parts.append(f"{panes.title} events only (k: {panes.next_title})")
        bar = self.query_one("#filter-bar", Static)
        bar.update("filtered: " + " · ".join(parts) if parts else "")
        bar.display = bool(parts)
        self.show_tab("events")

    # -- search --------------------------------------------------------------------------

    @property
    def searching(self) -> bool:
        """A search is on screen: n and N move between its matches."""
        return self.query_one("#search-bar").display and bool(self.search.text)

    def open_search(self) -> None:
        if self.tabs.active not in ("events-tab", "output-tab"):
            self.show_tab("events")
        self.query_one("#search-bar").display = True
        # At once, not through focus() (which waits for the message queue): keys typed
        # straight after "/" (a paste, tmux send-keys) are already queued, and belong here.
        self.screen.set_focus(self.search_box)

    def close_search(self) -> None:
        self.search_box.value = ""
        self.query_one("#search-bar").display = False
        self._searched_log().mark(None)

    def search_step(self, direction: int) -> None:
        self._searched_log().mark(self.search.step(direction))
        self._show_search_status()

    def _searched_log(self) -> TailLog:
        return self.panes.output if self.tabs.active == "output-tab" else self.panes.events

    @on(Input.Changed, "#search")
    def _search_changed(self, message: Input.Changed) -> None:
        message.stop()
        log = self._searched_log()
        log.mark(self.search.find(message.value, log.lines))
        self._show_search_status()

    def _show_search_status(self) -> None:
        self.query_one("#search-status", Static).update(self.search.summary)

    @on(Input.Submitted, "#search")
    def _search_submitted(self, message: Input.Submitted) -> None:
        """Enter keeps the search (n and N go on) and selects the found event's task."""
        message.stop()
        task = None
        line = self.search.line
        if line is not None and self.tabs.active == "events-tab":
            task = self.panes.task_of_line(line)
        self.post_message(self.SearchClosed(task))

    @on(Input.Submitted, "#stdin")
    def _typed(self, message: Input.Submitted) -> None:
        message.stop()
        self.post_message(self.LineTyped(message.value))

    def typed(self, text: str) -> None:
        """The line went to the program: show it where a terminal would echo it."""
        self.panes.typed(text)
        self.stdin.clear()
