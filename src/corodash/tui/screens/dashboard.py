"""The dashboard: one run of one program, live, and the keys that drive it.

Dialogs, help and the compare view are imported when first opened: start-up is paid before
the first paint.

The screen owns the run's state (a RunModel folded from the agent's events) and one
SessionBridge. Everything the agent says arrives as a message; everything the user asks
goes out as a command whose reply comes back as a message.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, Static, TabbedContent, TabPane

from corodash.describe import printable
from corodash.export import export_trace
from corodash.hints import removed_name_hint
from corodash.model import RunModel
from corodash.run_client import RunClient
from corodash.session import AgentSession, Reply, RunOptions
from corodash.timeline import build_timeline
from corodash.tui.bridge import SessionBridge
from corodash.tui.log_panes import EVENT_WINDOW, LogPanes
from corodash.tui.messages import (
    AgentEnded,
    AgentStateChanged,
    EventsArrived,
    ReplyReceived,
    TopLevelEnded,
    TraceUnwritable,
)
from corodash.tui.screens.run_keys import RunKeys
from corodash.tui.widgets.frame_view import FrameView
from corodash.tui.widgets.key_bar import KeyBar
from corodash.tui.widgets.source_view import SourceView
from corodash.tui.widgets.status_line import StatusLine
from corodash.tui.widgets.tail_log import TailLog
from corodash.tui.widgets.task_table import COMPACT_HEADER, HEADER, TaskSelected, TaskTable
from corodash.tui.widgets.timeline_view import TimelineView

PATCH_CYCLE = {"auto": "on", "on": "off", "off": "auto"}
NARROW = 110


class DashboardScreen(RunKeys, Screen[None]):
    BINDINGS = [
        Binding("n", "drive('next')", "next"),
        Binding("s", "send", "send"),
        Binding("t", "throw", "throw"),
        Binding("x", "drive('close')", "close"),
        Binding("w", "drive('switch')", "switch"),
        Binding("space", "step", "step"),
        Binding("c", "resume", "continue"),
        Binding("p", "pause", "pause"),
        Binding("m", "patch", "patch mode"),
        Binding("r", "restart", "restart"),
        Binding("e", "export", "export"),
        Binding("v", "compare", "compare"),
        Binding("g", "timeline", "timeline", show=False),
        Binding("h", "hub_steps", "hub steps", show=False),
        Binding("f", "filter_task", "filter task", show=False),
        Binding("k", "filter_kind", "filter kind", show=False),
        Binding("question_mark", "help", "help"),
        Binding("escape", "back", "back", show=False),
        Binding("q", "quit", "quit"),
    ]

    def __init__(
        self,
        options: RunOptions,
        back_to_gallery: bool = False,
        started: AgentSession | None = None,
    ) -> None:
        """``started``: the agent for the first run, already started (see HandoverListener)."""
        super().__init__()
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
        self.stdin = Input(placeholder="a line for input(), then Enter", id="stdin")
        self.stdin.cursor_blink = False  # a quiet screen while the program waits
        self.panes = LogPanes(
            TailLog(max_lines=EVENT_WINDOW, id="events"),
            TailLog(max_lines=EVENT_WINDOW, id="output"),
        )
        self._dirty = False
        self._timeline_at = 0.0

    # -- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            with Vertical(id="left"):
                yield Static(HEADER, id="task-header")
                yield TaskTable(self.model, id="tasks")
                with VerticalScroll(id="frame-box"):
                    yield FrameView(id="frame")
            with Vertical(id="right"):
                with VerticalScroll(id="source-box"):
                    yield SourceView(id="source")
                with TabbedContent(id="logs"):
                    with TabPane("Events", id="events-tab"):
                        yield self.panes.events
                    with TabPane("Output", id="output-tab"):
                        yield self.panes.output
                        yield self.stdin
                    with TabPane("Timeline", id="timeline-tab"):
                        yield TimelineView(id="timeline")
        yield StatusLine(id="status")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#source-box").border_title = "source"
        self.query_one("#frame-box").border_title = "frame"
        self.query_one("#left").border_title = "tasks"
        self.query_one(TaskTable).focus()
        self.set_interval(1 / 20, self._refresh_views)
        self._apply_width(self.size.width)
        self.start_run()

    def on_resize(self, event: Any) -> None:
        self._apply_width(event.size.width)

    def _apply_width(self, width: int) -> None:
        self.set_class(width < NARROW, "-narrow")
        self.call_after_refresh(self._fit_header)

    def _fit_header(self) -> None:
        table = self.query_one(TaskTable)
        self.query_one("#task-header", Static).update(COMPACT_HEADER if table.compact else HEADER)

    # -- the run -------------------------------------------------------------------------

    @property
    def run_state(self) -> str:
        return self.client.state if self.client is not None else "ended"

    @property
    def position(self) -> dict[str, Any]:
        return self.client.position if self.client is not None else {}

    def start_run(self) -> None:
        self.panes.clear()
        self.status_detail = ""
        self.answer = ""
        self.query_one(SourceView).show(None, None)
        self.query_one(FrameView).show(None)
        self.run_number += 1
        self.bridge = SessionBridge(
            replace(self.options, stay=True, step=self.paused_at_start),
            self,
            self.run_number,
            started=self.started,
        )
        self.started = None
        self.client = self.bridge.client
        self.model = self.client.model
        self.query_one(TaskTable).reset(self.model)
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

    # -- messages from the agent ---------------------------------------------------------

    @on(EventsArrived)
    def events_arrived(self, message: EventsArrived) -> None:
        if message.run != self.run_number or self.bridge is None:
            return
        self.apply_events(self.bridge.take_events())

    def apply_events(self, events: list[dict[str, Any]]) -> None:
        """Fold a batch in; only lines that stay in the panes' windows are formatted."""
        if self.client is not None:
            self.client.handle("events", events)
        self.panes.add(events, self.model.labels)
        for event in events:
            if event["kind"] == "diagnostic":
                self.notify(f"corodash: {event['message']}", severity="warning", timeout=12)
        self._dirty = True

    @on(AgentStateChanged)
    def state_changed(self, message: AgentStateChanged) -> None:
        if message.run != self.run_number or self.client is None:
            return
        self.client.handle("state", (message.state, message.info))
        if message.state == "paused":
            # The event goes on screen first; the task list and frame follow a frame later,
            # if the run is still the same and still stopped there.
            run, follow = self.run_number, message.info.get("task")

            def still_stopped_there() -> None:
                if self.run_number == run and self.run_state == "paused":
                    self._after_stop(follow)

            self.call_after_refresh(still_stopped_there)
        elif message.state == "idle":
            self._after_stop(follow=None)  # back from a drive command: states have moved
        elif self.client.reading:
            self.query_one("#logs", TabbedContent).active = "output-tab"
            self.stdin.focus()
        self._dirty = True

    @on(Input.Submitted, "#stdin")
    def typed_a_line(self, message: Input.Submitted) -> None:
        """The line goes to the program's stdin and shows where a terminal would echo it."""
        client = self.client
        try:
            if client is None:
                raise ConnectionError("the program has ended")
            client.send_input(message.value)
        except ConnectionError as error:
            self.notify(f"the program cannot read it: {error}", severity="warning")
            return
        self.panes.typed(message.value)
        message.input.clear()
        self._dirty = True

    @on(TopLevelEnded)
    def top_level_ended(self, message: TopLevelEnded) -> None:
        if message.run != self.run_number or self.client is None:
            return
        self.client.handle("toplevel", message.status)
        status = message.status
        self.status_detail = f" (top level {status['status']}, exit {status['exit_code']})"
        if status.get("error"):
            self.notify(f"the program raised {status['error']}", severity="error", timeout=8)
        if status.get("traceback"):
            folder = os.path.dirname(self.options.script) + os.sep
            lines = status["traceback"].replace(folder, "").rstrip("\n").splitlines()
            hint = removed_name_hint(status.get("error") or "")
            if hint:
                lines.append(f"hint: {hint}")
                self.notify(hint, timeout=12)
            self.panes.write_output([f"{'main':>12} ! {printable(line)}" for line in lines])
            self.query_one("#logs", TabbedContent).active = "output-tab"
        self._after_stop(follow=None)
        self._dirty = True

    @on(AgentEnded)
    def agent_ended(self, message: AgentEnded) -> None:
        if message.run != self.run_number or self.client is None:
            return
        end = message.end
        self.client.handle("ended", end)
        code = end.get("exit_code")
        self.status_detail = f" ({end['status']}, exit {code})"
        if end["status"] not in ("finished", "stopped"):
            detail = end.get("error") or f"exit status {code}"
            self.notify(
                f"the program {end['status']}: {detail}. r restarts it", severity="error", timeout=8
            )
        self._dirty = True

    @on(TraceUnwritable)
    def trace_unwritable(self, message: TraceUnwritable) -> None:
        if message.run == self.run_number:
            self.notify(
                f"cannot write {message.error}: the panes go on, an export would stop there",
                severity="error",
                timeout=12,
            )

    @on(ReplyReceived)
    def reply_received(self, message: ReplyReceived) -> None:
        if message.run != self.run_number or self.client is None:
            return
        self.client.handle("reply", message.reply)

    def _after_stop(self, follow: int | None) -> None:
        """At a pause point: refresh task states and locations, follow the stopped task
        (selecting it shows its frame: ``where`` is asked once a stop)."""

        def tasks_arrived(data: dict[str, Any]) -> None:
            self.model.merge_snapshot(data["tasks"])
            table = self.query_one(TaskTable)
            table.sync()
            if follow is None or not table.select(follow):
                self._show_selected()

        self.command("tasks", then=tasks_arrived)

    @on(TaskSelected)
    def task_selected(self, message: TaskSelected) -> None:
        if self.panes.filter_task is not None:
            self.panes.filter_task = message.task
            self._refilter()
        self._show_selected()

    def _show_selected(self) -> None:
        task = self.query_one(TaskTable).selected
        if task is None or self.run_state in ("running", "ended", "starting"):
            row = self.model.tasks.get(task) if task is not None else None
            self.query_one(SourceView).show(row.file if row else None, row.line if row else None)
            return

        def where_arrived(where: dict[str, Any]) -> None:
            self.query_one(FrameView).show(where)
            source = where.get("source")
            if source:
                self.query_one(SourceView).show(source["file"], source["line"])
            else:
                row = self.model.tasks.get(task)
                self.query_one(SourceView).show(
                    row.file if row else None, row.line if row else None
                )

        self.command("where", task, then=where_arrived)

    # -- drawing -------------------------------------------------------------------------

    def _refresh_views(self) -> None:
        if not self._dirty and self.run_state != "running":
            return
        self._dirty = False
        self.query_one(TaskTable).sync()
        self._refresh_timeline()
        self._refresh_status()

    def _refresh_status(self) -> None:
        elapsed = self.client.program_time() if self.client is not None else 0.0
        reading = self.client is not None and self.client.reading
        self.query_one(StatusLine).show(
            self.run_state,
            " (waiting for a line of input)" if reading else self.status_detail,
            self.answer,
            self.options.patch,
            elapsed,
            sum(self.model.counts.values()),
            os.path.basename(self.options.script),
        )

    def _refresh_timeline(self) -> None:
        """Rebuilt from the recent events, only while its tab shows, twice a second at most."""
        if self.query_one("#logs", TabbedContent).active != "timeline-tab":
            return
        now = time.monotonic()
        if now - self._timeline_at < 0.5:
            self._dirty = True
            return
        self._timeline_at = now
        self.query_one(TimelineView).show(build_timeline(self.panes.recent))

    def _refilter(self) -> None:
        panes = self.panes
        panes.refilter(self.model.labels)
        task = self.model.tasks.get(panes.filter_task) if panes.filter_task is not None else None
        who = f"task {task.label}" if task else "all tasks"
        self.query_one("#logs").border_title = f"{who}, {panes.title}"

    # -- actions -------------------------------------------------------------------------

    def action_patch(self) -> None:
        mode = PATCH_CYCLE[self.options.patch]
        self.options = replace(self.options, patch=mode)
        self.notify(
            f"patch mode {mode}: patching cannot be undone in a process, so the "
            "program restarts in a fresh agent"
        )
        self.action_restart()

    def action_restart(self) -> None:
        """A fresh agent, stopped at its start only if this run was stopped: a run that
        was running restarts running, so timing programs measure the program, not a wait."""
        if self.run_state != "starting":
            self.paused_at_start = self.run_state == "paused"
        self.stop_run()
        self.start_run()

    def action_export(self) -> None:
        if self.bridge is None:
            return
        if self.bridge.write_error:
            self.notify(f"cannot export: {self.bridge.write_error}", severity="error")
            return
        try:
            name, chrome = export_trace(self.bridge.trace_path, self.options.script)
        except OSError as error:
            self.notify(f"could not export the trace: {error}", severity="error")
            return
        count = sum(self.model.counts.values())
        self.notify(
            f"trace exported: {os.path.abspath(name)} ({count:,} events); timeline "
            f"for Perfetto: {chrome}"
        )

    def action_compare(self) -> None:
        from corodash.tui.screens.compare import CompareScreen

        self.app.push_screen(CompareScreen(replace(self.options, step=False, stay=False)))

    def action_timeline(self) -> None:
        self.query_one("#logs", TabbedContent).active = "timeline-tab"
        self._timeline_at = 0.0
        self._dirty = True
        self.query_one(TimelineView).focus()

    def action_filter_task(self) -> None:
        panes = self.panes
        panes.filter_task = (
            None if panes.filter_task is not None else self.query_one(TaskTable).selected
        )
        self._refilter()

    def action_filter_kind(self) -> None:
        self.panes.next_kind_filter()
        self._refilter()

    def action_help(self) -> None:
        from corodash.tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen())

    def action_back(self) -> None:
        if self.stdin.has_focus:
            self.query_one(TaskTable).focus()
            return
        if self.back_to_gallery:
            self.stop_run()
            self.app.pop_screen()

    def action_quit(self) -> None:
        self.stop_run()
        self.app.exit()
