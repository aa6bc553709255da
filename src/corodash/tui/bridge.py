"""Connects one agent session to a widget: events become messages, and every event is also
written to a trace file on disk (the screen keeps only a bounded window of them)."""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from typing import Any

from textual.message_pump import MessagePump

from corodash.run_client import RunClient
from corodash.session import AgentSession, HandoverListener, Reply, RunOptions
from corodash.trace_format import TraceWriter
from corodash.tui.messages import (
    AgentEnded,
    AgentStateChanged,
    EventsArrived,
    ReplyReceived,
    TopLevelEnded,
    TraceUnwritable,
)


class SessionBridge:
    """The session's listener: runs on its reader thread, so it only posts messages."""

    def __init__(
        self,
        options: RunOptions,
        target: MessagePump,
        run: int,
        started: AgentSession | None = None,
    ) -> None:
        """``started``: a session already running under a HandoverListener."""
        self.target = target
        self.run = run
        handle, path = tempfile.mkstemp(prefix="corodash-", suffix=".jsonl")
        os.close(handle)
        self.trace_path = path
        self.writer = TraceWriter(path)
        self.write_error: str | None = None
        self._started = started
        self.client = RunClient(options, self, started)
        self.session = self.client.session
        self._lock = threading.Lock()
        self._waiting: list[dict[str, Any]] = []
        self._announced = False

    def start(self) -> None:
        listener = self.session.listener
        if self._started is None:
            self.session.start()
        elif isinstance(listener, HandoverListener):
            listener.hand_over(self)

    def close(self) -> None:
        """End the agent (if it still runs) and delete the temporary trace."""
        self.session.kill()
        self.session.wait(2)
        with contextlib.suppress(OSError):
            self.writer.close()
        with contextlib.suppress(OSError):
            os.unlink(self.trace_path)

    # -- Listener ------------------------------------------------------------------------

    def events(self, events: list[dict[str, Any]]) -> None:
        if self.write_error is None:
            try:
                self.writer.write(events)
            except OSError as error:  # the panes go on; the export would be partial
                self.write_error = f"the trace file {self.trace_path}: {error.strerror}"
                self.target.post_message(TraceUnwritable(self.run, self.write_error))
        with self._lock:
            self._waiting.extend(events)
            if self._announced:
                return
            self._announced = True
        self.target.post_message(EventsArrived(self.run))

    def take_events(self) -> list[dict[str, Any]]:
        """Every event that arrived since the last call (on the UI's thread)."""
        with self._lock:
            events, self._waiting = self._waiting, []
            self._announced = False
        return events

    def state(self, state: str, info: dict[str, Any]) -> None:
        self.target.post_message(AgentStateChanged(self.run, state, info))

    def reply(self, reply: Reply) -> None:
        self.target.post_message(ReplyReceived(self.run, reply))

    def toplevel(self, status: dict[str, Any]) -> None:
        self.target.post_message(TopLevelEnded(self.run, status))

    def ended(self, end: dict[str, Any]) -> None:
        self.target.post_message(AgentEnded(self.run, end))
