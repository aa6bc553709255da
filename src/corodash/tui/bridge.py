"""Connects one agent session to a widget: batches become messages, and every event is also
written, as it came, to a recording on disk (the screen keeps only a bounded window of them;
history and the export read the recording)."""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from typing import Any

from textual.message_pump import MessagePump

from corodash.live_feed import Folded, LiveFeed
from corodash.recording_file import RecordingWriter
from corodash.records import SIZE, RecordFilter, shift_times
from corodash.run_client import RunClient
from corodash.session import AgentSession, HandoverListener, Reply, RunOptions
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
        handle, path = tempfile.mkstemp(prefix="corodash-", suffix=".cdrec")
        os.close(handle)
        self.trace_path = path
        self.writer = RecordingWriter(path)
        self.write_error: str | None = None
        self._started = started
        self.client = RunClient(options, self, started)
        self.session = self.client.session
        self.feed = LiveFeed(self.client.model)
        self.t0: float | None = None
        """The run's start: the recording's times are counted from it, stops left out."""
        self._lock = threading.Lock()
        self._waiting: list[tuple[bytes, list]] = []
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

    def records(self, records: bytes, extras: list) -> None:
        """A batch, undecoded (session.py): to the recording, and queued for the screen."""
        builder = self.session.builder
        if self.t0 is None:
            self.t0 = builder.t0
        if builder.t0 != self.t0:  # after a stop: its length comes off the times
            records, extras = shift_times(records, extras, builder.t0 - self.t0)
        if self.write_error is None:
            try:
                self.writer.begin({"t0": self.t0, "script": self.client.options.script})
                self.writer.write_records(records, extras)
            except OSError as error:  # the panes go on; history and the export stop there
                self.write_error = f"the trace file {self.trace_path}: {error.strerror}"
                self.target.post_message(TraceUnwritable(self.run, self.write_error))
        with self._lock:
            self._waiting.append((records, extras))
            if self._announced:
                return
            self._announced = True
        self.target.post_message(EventsArrived(self.run))

    def take(self, tail: int, keep: RecordFilter | None) -> list[Folded]:
        """Every batch that arrived since the last call, folded into the run's model, with
        the last ``tail`` events the events pane shows under its filters (``keep``)
        expanded: on the UI's thread."""
        with self._lock:
            batches, self._waiting = self._waiting, []
            self._announced = False
        t0 = self.t0 or 0.0
        shown = [None if keep is None else keep.whole_matches(r) for r, _ in batches]
        sizes = [
            len(r) // SIZE if f is None else f.count(1)
            for (r, _), f in zip(batches, shown, strict=True)
        ]
        tails = last_counts(sizes, tail)
        return [
            self.feed.fold(records, extras, t0, last, flags)
            for (records, extras), last, flags in zip(batches, tails, shown, strict=True)
        ]

    def state(self, state: str, info: dict[str, Any]) -> None:
        self.target.post_message(AgentStateChanged(self.run, state, info))

    def reply(self, reply: Reply) -> None:
        self.target.post_message(ReplyReceived(self.run, reply))

    def toplevel(self, status: dict[str, Any]) -> None:
        self.target.post_message(TopLevelEnded(self.run, status))

    def ended(self, end: dict[str, Any]) -> None:
        self.target.post_message(AgentEnded(self.run, end))


def last_counts(sizes: list[int], tail: int) -> list[int]:
    """How many of each batch's ``sizes`` events are among the last ``tail`` of them all."""
    counts: list[int] = []
    for size in reversed(sizes):
        counts.append(min(tail, size))
        tail -= counts[-1]
    return counts[::-1]
