"""What the agent says, folded into the run's client and shown: events, states, the end of
the top level and of the program, replies, and lines the user types for the program.

A mixin of DashboardScreen (Textual finds these handlers by their ``on_`` names). Every
message names its run: those of a run that was restarted since are ignored.
"""

from __future__ import annotations

import time
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

TAKE_INTERVAL = 1 / 30
"""A flood's batches are taken at most this often: each take formats the events pane's
lines and redraws it, and keys are answered between takes. A batch after a quiet spell (a
step's event) is taken at once."""


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
    _last_take = 0.0
    _take_due: int | None = None
    """The run whose batches a timer will take."""

    def on_events_arrived(self, message: EventsArrived) -> None:
        """Take the batches now, or at the next take's time (the bridge announces nothing
        more until they are taken)."""
        if message.run != self.run_number or self.bridge is None or self._take_due == message.run:
            return
        wait = self._last_take + TAKE_INTERVAL - time.monotonic()
        if wait <= 0:
            self._take_events()
            return
        run = self._take_due = self.run_number

        def take_then() -> None:
            if self._take_due == run == self.run_number and self.bridge is not None:
                self._take_events()

        self.set_timer(wait, take_then)

    def _catch_up(self) -> None:
        """Take the batches whose take is due later: what the agent says next (a stop, the
        end, a reply) comes after them."""
        if self._take_due == self.run_number and self.bridge is not None:
            self._take_events()

    def _take_events(self) -> None:
        """Fold the batches in; only what the panes can show is expanded into events."""
        assert self.bridge is not None
        self._last_take = time.monotonic()
        self._take_due = None
        for batch in self.bridge.take(LINES_PER_BATCH, self.logs.panes.record_filter()):
            self.logs.add(batch, self.model.labels)
            for event in batch.events:
                if event["kind"] == "diagnostic":
                    self.notify(f"corodash: {event['message']}", severity="warning", timeout=12)
        self._dirty = True

    def on_agent_state_changed(self, message: AgentStateChanged) -> None:
        if message.run != self.run_number or self.client is None:
            return
        self._catch_up()
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
        self._catch_up()
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
        self._catch_up()
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
        self._catch_up()
        self.client.handle("reply", message.reply)
