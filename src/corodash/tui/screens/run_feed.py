"""What the agent says, folded into the run's client and shown: events, states, the end of
the top level and of the program, replies, and lines the user types for the program.

A mixin of DashboardScreen (Textual finds these handlers by their ``on_`` names). Every
message names its run: those of a run that was restarted since are ignored.
"""

from __future__ import annotations

from typing import Any

from corodash.describe import printable
from corodash.hints import traceback_report
from corodash.model import RunModel
from corodash.run_client import RunClient
from corodash.session import RunOptions
from corodash.tui.bridge import SessionBridge
from corodash.tui.log_panes import LINES_PER_BATCH
from corodash.tui.messages import (
    AgentEnded,
    AgentStateChanged,
    EventsArrived,
    ReplyReceived,
    TopLevelEnded,
    TraceUnwritable,
)
from corodash.tui.widgets.logs_view import LogsView


class RunFeed:
    options: RunOptions
    client: RunClient | None
    bridge: SessionBridge | None
    model: RunModel
    logs: LogsView
    run_number: int
    status_detail: str
    _dirty: bool
    carried: list[dict[str, Any]]

    def on_events_arrived(self, message: EventsArrived) -> None:
        """Fold the batches in; only what the panes can show is expanded into events (with
        a filter on, the events pane may show any of them)."""
        if message.run != self.run_number or self.bridge is None:
            return
        filtered = self.logs.panes.filter_task is not None or self.logs.panes.kind_filter
        for batch in self.bridge.take(None if filtered else LINES_PER_BATCH):
            self.logs.add(batch, self.model.labels)
            for event in batch.events:
                if event["kind"] == "diagnostic":
                    self.notify(f"corodash: {event['message']}", severity="warning", timeout=12)
        self._dirty = True

    def on_agent_state_changed(self, message: AgentStateChanged) -> None:
        if message.run != self.run_number or self.client is None:
            return
        self.client.handle("state", (message.state, message.info))
        if self.carried:
            self.restore_breaks()
        if message.state == "paused" and message.info.get("break"):
            self.stopped_at_break(message.info["break"])
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
        elif self.options.attached is not None and not self.model.tasks.keys() - {0}:
            self._after_stop(follow=None)  # attached: the live greenlets and where they are
        elif self.client.reading:
            self.logs.ask_for_input()
        self._dirty = True

    def on_logs_view_line_typed(self, message: LogsView.LineTyped) -> None:
        """The line goes to the program's stdin and shows where a terminal would echo it."""
        client = self.client
        try:
            if client is None:
                raise ConnectionError("the program has ended")
            client.send_input(message.text)
        except ConnectionError as error:
            self.notify(f"the program cannot read it: {error}", severity="warning")
            return
        self.logs.typed(message.text)
        self._dirty = True

    def on_top_level_ended(self, message: TopLevelEnded) -> None:
        if message.run != self.run_number or self.client is None:
            return
        self.client.handle("toplevel", message.status)
        status = message.status
        self.status_detail = f" (top level {status['status']}, exit {status['exit_code']})"
        if status.get("error"):
            self.notify(f"the program raised {status['error']}", severity="error", timeout=8)
        if status.get("traceback"):
            lines, hint = traceback_report(
                status["traceback"], status.get("error") or "", self.options.script
            )
            if hint:
                self.notify(hint, timeout=12)
            self.logs.add_output_lines([f"{'main':>12} ! {printable(line)}" for line in lines])
        self._after_stop(follow=None)
        self._dirty = True

    def on_agent_ended(self, message: AgentEnded) -> None:
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

    def on_trace_unwritable(self, message: TraceUnwritable) -> None:
        if message.run == self.run_number:
            self.notify(
                f"cannot write {message.error}: the panes go on, an export would stop there",
                severity="error",
                timeout=12,
            )

    def on_reply_received(self, message: ReplyReceived) -> None:
        if message.run != self.run_number or self.client is None:
            return
        self.client.handle("reply", message.reply)
