"""One run driven from a thread that waits for each answer: what ``repl`` stands on.

A :class:`RunClient` folds the agent's messages in; this class pumps them on the caller's
thread until the condition a command waits for holds ("a stop newer than my request", "the
reply to request N"). While the program runs, a Ctrl-C (``interrupt``) or the
``pause_after`` deadline pauses it, so a program that never ends or never stops still comes
back to the user. An agent that does not answer within RESPONSE_TIMEOUT is ended as stuck.
"""

from __future__ import annotations

import contextlib
import os
import queue
import time
from collections.abc import Callable
from typing import Any

from corodash.model import RunModel, TaskRow
from corodash.protocol import IDLE, PAUSED
from corodash.run_client import RunClient
from corodash.session import AgentSession, Listener, QueueListener, Reply, RunOptions

RESPONSE_TIMEOUT = float(os.environ.get("CORODASH_TEST_RESPONSE_TIMEOUT") or 30.0)
"""Seconds the agent gets to answer before the program counts as stuck (tests shorten it)."""
POLL = 0.05
"""Seconds between looks at Ctrl-C and the deadline while waiting for the program."""


class RunError(Exception):
    """A request the run cannot carry out, with the reason in the user's terms."""


class Unresponsive(RunError):
    """The agent did not answer: the program holds the interpreter in C code."""


class _PauseWanted(Exception):
    """Ctrl-C, or the program ran for the ``pause_after`` seconds without stopping."""


class BlockingRun:
    """A run whose every request returns once the program has answered or stopped."""

    def __init__(
        self,
        options: RunOptions,
        pause_after: float | None = None,
        session: Callable[[Listener], AgentSession] | None = None,
    ) -> None:
        """``pause_after``: seconds a running program gets before it is paused;
        ``session``: makes the session instead (an attachment: attach_session.py)."""
        self.pause_after = pause_after
        self.listener = QueueListener()
        started = session(self.listener) if session is not None else None
        self.client = RunClient(options, self.listener, started)
        self.history: list[dict[str, Any]] = []
        """Every event of the run, in order."""
        self.interrupted = False

    @property
    def model(self) -> RunModel:
        return self.client.model

    # -- the run's life ------------------------------------------------------------------

    def start(self) -> dict[str, Any]:
        """Start the program and wait for its first stop (or its end)."""
        self.client.session.start()
        self.while_running(lambda: self.client.stopped)
        return self.client.status()

    def interrupt(self) -> None:
        """Ask for a pause (safe from a signal handler: only a flag the waits look at)."""
        self.interrupted = True

    def end(self) -> None:
        """Stop the agent and take in what it said last (its end event)."""
        self.client.session.stop("stopped")
        self.client.session.wait(5)
        while True:
            try:
                what, payload = self.listener.queue.get_nowait()
            except queue.Empty:
                return
            self._handle(what, payload)

    # -- requests ------------------------------------------------------------------------

    def request(self, name: str, *args: Any) -> Reply:
        """Send a command and wait for its answer; a refusal raises RunError."""
        ident = self._send(name, *args)
        self._pump(lambda: ident in self.client.replies or self.client.ended)
        reply = self.client.replies.pop(ident, None)
        if reply is None:
            raise RunError("the program ended before answering")
        if not reply.ok:
            raise RunError(reply.error)
        return reply

    def run_until_stop(self, name: str, *args: Any) -> dict[str, Any]:
        """``step`` or ``continue``: on until the next stop newer than the request."""
        if self.client.ended:
            raise RunError("the program has ended")
        if self.client.state == IDLE:
            raise RunError(
                "the program's top level has finished, so there is nothing to "
                "step: drive a task with next, send, throw, close or switch"
            )
        reply = self.request(name, *args)
        self.while_running(lambda: self.client.stopped_after(reply.seq))
        return self.client.status()

    def send_input(self, text: str) -> dict[str, Any]:
        """A line for the program's input(); then on until it stops (or reads again)."""
        try:
            self.client.send_input(text)
        except ConnectionError as error:
            raise RunError(f"the program cannot read it: {error}") from None
        self.while_running(lambda: self.client.stopped)
        return self.client.status()

    def drive(self, verb: str, row: TaskRow, *args: Any) -> dict[str, Any]:
        """next, send, throw, close or switch on ``row``, answered in one call: with its
        outcome, or with ``paused`` when the driven code reached a stop of its own."""
        client = self.client
        problem = client.drive_error(row, verb)
        if problem is not None:
            raise RunError(problem)
        before = client.stop_seq
        ident = self._send(verb, row.id, *args)

        def answered() -> bool:
            # The answer, or a pause of the driven code's own (while it loops): a paused
            # state numbered after the request was sent (a late idle one is not that).
            paused_inside = client.state == PAUSED and client.stop_seq > before
            return ident in client.replies or client.ended or paused_inside

        self.while_running(answered)
        reply = client.replies.pop(ident, None)
        if reply is None:
            outcome = "reading input" if client.reading else "paused"
            return {"outcome": outcome, **client.status()}
        # Refused or not, the driven code ran: the next command waits for the stop after it.
        self._pump(lambda: client.stopped_after(reply.seq))
        if not reply.ok:
            raise RunError(reply.error)
        return {**reply.data, "task": row.id}

    def wait_for(self, done: Callable[[], bool]) -> None:
        """Take in the program's messages until ``done()``: something is due, so a program
        that says nothing for long is unresponsive."""
        self._pump(done)

    def task(self, ref: str) -> TaskRow:
        """The task a user's reference names: an id, a task name or a global name."""
        self.refresh_tasks()
        row = self.model.resolve(ref)
        if row is None:
            raise RunError(
                f"no task {ref!r}: give a task id, a task name or a global name (tasks lists them)"
            )
        return row

    def refresh_tasks(self) -> None:
        if not self.client.ended:
            self.model.merge_snapshot(self.request("tasks").data["tasks"])

    # -- waiting -------------------------------------------------------------------------

    def while_running(self, done: Callable[[], bool]) -> None:
        """Wait for ``done()`` while the program runs. An interrupt, or the ``pause_after``
        seconds running out, pauses it (a program may never end or never answer)."""
        self.interrupted = False
        client = self.client
        try:
            self._pump(lambda: done() or client.reading, running=True)
        except _PauseWanted:
            self.interrupted = False
            with contextlib.suppress(ConnectionError):
                client.request("pause")  # ignored if it has stopped already
            self._pump(done)

    def _send(self, name: str, *args: Any) -> int:
        try:
            return self.client.request(name, *args)
        except ConnectionError as error:
            raise RunError(f"the program has ended ({error})") from None

    def _pump(self, done: Callable[[], bool], running: bool = False) -> None:
        """Handle agent messages until ``done()``. With ``running`` the program runs
        meanwhile: no answer is due, and an interrupt or the ``pause_after`` deadline ends
        the wait by raising _PauseWanted. Interrupts are only ever looked at between
        messages, so none is half handled."""
        give_up = None
        if running and self.pause_after is not None:
            give_up = time.monotonic() + self.pause_after
        heard = time.monotonic()
        while not done():
            if running and (self.interrupted or (give_up and time.monotonic() >= give_up)):
                raise _PauseWanted
            try:
                what, payload = self.listener.queue.get(timeout=POLL)
            except queue.Empty:
                if not running and time.monotonic() - heard > RESPONSE_TIMEOUT:
                    self.client.session.kill("stuck")
                    raise Unresponsive(
                        f"the program is stuck in C code: it did not answer for "
                        f"{RESPONSE_TIMEOUT:g} s, so it was ended"
                    ) from None
                continue
            heard = time.monotonic()
            self._handle(what, payload)

    def _handle(self, what: str, payload: Any) -> None:
        self.client.handle(what, payload)
        if what == "events":
            self.history.extend(payload)
