"""Messages from the session's reader thread to the dashboard (``post_message`` is
thread-safe). Facts in the past tense; no event is ever merged away or dropped."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message

from corodash.session import Reply


@dataclass
class RunMessage(Message):
    """Every message names its run, so a restarted dashboard ignores the last one's."""

    run: int


@dataclass
class EventsArrived(RunMessage):
    """New events wait in the bridge; the handler takes them all at once, so a flood costs
    one message per frame of work, not one per batch, and the screen never falls behind."""


@dataclass
class AgentStateChanged(RunMessage):
    """The agent is running, paused (``info`` says where) or idle."""

    state: str
    info: dict[str, Any]


@dataclass
class ReplyReceived(RunMessage):
    reply: Reply


@dataclass
class TopLevelEnded(RunMessage):
    """The script's top level is over; the agent stays to serve drive commands."""

    status: dict[str, Any]


@dataclass
class AgentEnded(RunMessage):
    """The agent process is gone; ``end`` is the run's END event."""

    end: dict[str, Any]


@dataclass
class TraceUnwritable(RunMessage):
    """The run's trace file could not be written (a full disk): export would be partial."""

    error: str
