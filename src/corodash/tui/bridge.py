"""Connects one agent session to a widget: events become messages, and every event is also
written to a trace file on disk (the screen keeps only a bounded window of them)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from typing import Any

from textual.message_pump import MessagePump

from corodash.session import AgentSession, Reply, RunOptions
from corodash.trace_format import TraceWriter
from corodash.tui.messages import (
    AgentEnded,
    AgentStateChanged,
    EventsReceived,
    ReplyReceived,
    TopLevelEnded,
)


class SessionBridge:
    """The session's listener: runs on its reader thread, so it only posts messages."""

    def __init__(self, options: RunOptions, target: MessagePump, run: int) -> None:
        self.target = target
        self.run = run
        handle, path = tempfile.mkstemp(prefix="corodash-", suffix=".jsonl")
        os.close(handle)
        self.trace_path = path
        self.writer = TraceWriter(path)
        self.session = AgentSession(options, self)

    def start(self) -> None:
        self.session.start()

    def close(self) -> None:
        """End the agent (if it still runs) and delete the temporary trace."""
        self.session.kill()
        self.session.wait(2)
        self.writer.close()
        with contextlib.suppress(OSError):
            os.unlink(self.trace_path)

    # -- Listener ------------------------------------------------------------------------

    def events(self, events: list[dict[str, Any]]) -> None:
        self.writer.write(events)
        self.target.post_message(EventsReceived(self.run, events))

    def state(self, state: str, info: dict[str, Any]) -> None:
        self.target.post_message(AgentStateChanged(self.run, state, info))

    def reply(self, reply: Reply) -> None:
        self.target.post_message(ReplyReceived(self.run, reply))

    def toplevel(self, status: dict[str, Any]) -> None:
        self.target.post_message(TopLevelEnded(self.run, status))

    def ended(self, end: dict[str, Any]) -> None:
        self.target.post_message(AgentEnded(self.run, end))
