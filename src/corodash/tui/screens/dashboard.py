"""The dashboard: one run of one program, live, and the keys that drive it.

Dialogs, help and the compare view are imported when first opened: start-up is paid before
the first paint.

The screen owns the run's state (a RunModel folded from the agent's events) and one
SessionBridge. Everything the agent says arrives as a message; everything the user asks
goes out as a command whose reply comes back as a message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from corodash.event_sources import EventSource
from corodash.model import RunModel
from corodash.run_client import RunClient
from corodash.session import AgentSession, Reply, RunOptions
from corodash.tui.bridge import SessionBridge
from corodash.tui.screens.break_keys import BreakKeys
from corodash.tui.screens.export_key import ExportKey
from corodash.tui.screens.history_keys import HISTORY_BINDINGS, HistoryKeys
from corodash.tui.screens.program_keys import ProgramKeys
from corodash.tui.screens.run_feed import RunFeed
from corodash.tui.screens.run_keys import RunKeys
from corodash.tui.screens.view_keys import ViewKeys
from corodash.tui.stop_follower import StopFollower
from corodash.tui.widgets.frame_view import FrameView
from corodash.tui.widgets.key_bar import KeyBar
from corodash.tui.widgets.logs_view import LogsView
from corodash.tui.widgets.source_view import SourceView
from corodash.tui.widgets.status_line import StatusLine
from corodash.tui.widgets.task_table import TaskSelected, TaskTable

NARROW = 110
WIDE = 160


class DashboardScreen(
    RunFeed, RunKeys, ProgramKeys, BreakKeys, HistoryKeys, ViewKeys, ExportKey, Screen[None]
):
    ALLOW_IN_MAXIMIZED_VIEW = "StatusLine, KeyBar"
    BINDINGS = [
        Binding("n", "drive('next')", "next"),
        Binding("s", "send", "send"),
        Binding("t", "throw", "throw"),
        Binding("x", "drive('close')", "close"),
        Binding("w", "drive('switch')", "switch"),
        Binding("space", "step", "step"),
        Binding("c", "resume", "continue"),
        Binding("p", "pause", "pause"),
        Binding("u", "until", "run to"),
        Binding("b", "break_line", "break"),
        Binding("B", "breakpoints", "breakpoints", show=False),
        Binding("m", "patch", "patch"),
        Binding("r", "restart", "restart"),
        Binding("e", "export", "export"),
        Binding("v", "compare", "compare"),
        Binding("g,3", "timeline", "timeline", show=False),
        Binding("1", "tab('events')", "events tab", show=False),
        Binding("2", "tab('output')", "output tab", show=False),
        Binding("h", "hub_steps", "hub steps", show=False),
        Binding("f", "filter_task", "filter task", show=False),
        Binding("k", "filter_kind", "filter kind", show=False),
        # priority: taken when the key arrives, before the keys typed after it are handed to
        # the focused widget (a paste, tmux send-keys), so that they reach the search box
        Binding("slash", "search", "search", priority=True),
        Binding("o", "edit", "edit", show=False),
        Binding("z", "zoom_pane", "zoom pane", show=False),
        Binding("N", "search_previous", "previous match", show=False),
        Binding("question_mark", "help", "help"),
        Binding("escape", "back", "back", show=False),
        Binding("q", "quit", "quit"),
        *HISTORY_BINDINGS,
    ]

    def __init__(
        self,
        options: RunOptions,
        back_to_gallery: bool = False,
        started: AgentSession | None = None,
        recording: EventSource | None = None,
    ) -> None:
        """``started``: the agent for the first run, already started (see HandoverListener);
        ``recording``: a run's events to look through, with no program (``corodash view``)."""
        super().__init__()
        self.recording = recording
        self.options = options
        self.started = started
        self.paused_at_start = options.step
        self.back_to_gallery = back_to_gallery
        self.model = RunModel()
        self.bridge: SessionBridge | None = None
        self.client: RunClient | None = None
        self.run_number = 0
        self.status_detail = ""
        self.answer = ""
        self.job = ""
        self.breaks: list[dict[str, Any]] = []
        self.carried: list[dict[str, Any]] = []
        self.logs = LogsView(id="logs-view")
        self.panes = self.logs.panes
        self.table = TaskTable(self.model, id="tasks")
        self.follower = StopFollower(
            self.table, FrameView(self.command, id="frame"), SourceView(id="source"), self.command
        )
        self._dirty = False

    # -- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            with Vertical(id="left"):
                yield Static(self.table.header, id="task-header")
                yield self.table
                with Vertical(id="frame-box"):
                    yield self.follower.frame
            with Vertical(id="right"):
                with VerticalScroll(id="source-box") as box:
                    box.can_focus = False  # the source pane's own line cursor takes the keys
                    yield self.follower.source
                yield self.logs
        yield StatusLine(id="status")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#source-box").border_title = "source"
        self.query_one("#frame-box").border_title = "frame"
        self.query_one("#left").border_title = "tasks"
        self.table.focus()
        self.set_interval(1 / 20, self._refresh_views)
        self._apply_width(self.size.width)
        if self.recording is None:
            self.start_run()
        else:
            self.action_history_present()

    def on_resize(self, event: Any) -> None:
        self._apply_width(event.size.width)

    def _apply_width(self, width: int) -> None:
        self.set_class(width < NARROW, "-narrow")
        self.set_class(width >= WIDE, "-wide")
        self.call_after_refresh(self._fit_header)

    def _fit_header(self) -> None:
        header = self.query_one("#task-header", Static)
        if header.content != self.table.header:
            header.update(self.table.header, layout=False)

    # -- the run -------------------------------------------------------------------------

    @property
    def run_state(self) -> str:
        return self.client.state if self.client is not None else "ended"

    @property
    def position(self) -> dict[str, Any]:
        return self.client.position if self.client is not None else {}

    def start_run(self) -> None:
        self.logs.clear()
        self.follower.clear()
        self.follower.seen.clear()
        self.forget_past()
        self.carry_breaks()  # a fresh agent has none: the lines and blocks are set again
        self.status_detail = " (output not captured)" if self.options.attached else ""
        self.answer = ""
        self.run_number += 1
        self.bridge = SessionBridge(
            self.options.replace(stay=True, step=self.paused_at_start),
            self,
            self.run_number,
            started=self.started,
        )
        self.started = None
        self.client = self.bridge.client
        self.model = self.client.model
        self.table.reset(self.model)
        try:
            self.bridge.start()
        except OSError as error:
            self.notify(f"could not start the program: {error}", severity="error")
            self.client.handle("ended", {})
        self._dirty = True

    def stop_run(self) -> None:
        if self.bridge is not None:
            self.bridge.close()
            self.bridge = None

    def on_unmount(self) -> None:
        self.stop_run()

    def command(self, name: str, *args: Any, then: Callable[[Any], None] | None = None) -> bool:
        """Send a command; ``then(data)`` runs when its answer arrives, a refusal is shown."""
        refusal = self.drive_refusal()
        if refusal and (self.recording is not None or name not in ("pause", "break", "breaks")):
            self.notify(refusal, severity="warning")
            return False
        client = self.client
        if client is None or client.session.ended:
            self.notify("the program has ended: r restarts it", severity="warning")
            return False

        def answered(reply: Reply) -> None:
            if not reply.ok:
                self.notify(reply.error, severity="warning", timeout=6)
            elif then is not None:
                then(reply.data)

        try:
            client.request(name, *args, then=answered)
        except ConnectionError:
            self.notify("the program has ended: r restarts it", severity="warning")
            return False
        return True

    def _after_stop(self, follow: int | None) -> None:
        self.follower.after_stop(follow, lambda: self.run_state)

    @on(TaskSelected)
    def task_selected(self, message: TaskSelected) -> None:
        if self.panes.filter_task is not None:
            self.panes.filter_task = message.task
            self._refilter()
        if self.past_on_show:
            self.show_past_task()
        else:
            self.follower.show_selected(self.run_state)

    # -- drawing -------------------------------------------------------------------------

    def _refresh_views(self) -> None:
        self.logs.refresh_timeline()
        if not self._dirty and self._shown_state() != "running":
            return
        self._dirty = False
        self.table.sync()
        self._fit_header()
        if not self.past_on_show:
            self._refresh_status()

    def _refresh_status(self) -> None:
        elapsed = self.client.program_time() if self.client is not None else 0.0
        reading = self.client is not None and self.client.reading
        self.query_one(StatusLine).show(
            self._shown_state(),
            " (waiting for a line of input)" if reading else self.status_detail,
            self.job or self.answer,
            self.options.patch,
            elapsed,
            sum(self.model.counts.values()),
            self.options.shown_name,
        )

    def _shown_state(self) -> str:
        """Stepping, the agent says nothing until its first stop: events before it (output,
        say) mean the program runs."""
        if self.run_state == "starting" and self.model.counts:
            return "running"
        return self.run_state

    # -- actions -------------------------------------------------------------------------

    def action_back(self) -> None:
        if self.logs.stdin.has_focus:
            self.table.focus()
            return
        if self.logs.searching or self.logs.search_box.has_focus:
            self.logs.close_search()
            self.table.focus()
            return
        if self.back_to_gallery:
            self.stop_run()
            self.app.pop_screen()
        else:  # a program given on the command line: the demos are one key away
            from corodash.tui.screens.gallery import GalleryScreen

            self.app.push_screen(GalleryScreen())

    def action_quit(self) -> None:
        self.stop_run()
        self.app.exit()
