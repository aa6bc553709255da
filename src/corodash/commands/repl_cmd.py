"""``corodash repl SCRIPT``: a line console over a paused or finished program.

For people who want no full-screen UI, for screen readers and for scripts (``--json``: one
JSON object per command, on one line).
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, TextIO

from corodash.commands.repl_parsing import (
    DRIVE,
    ReplError,
    Unresponsive,
    checked_literal,
    count_arg,
    split_words,
    usage,
)
from corodash.commands.repl_text import text_answer
from corodash.model import RunModel, TaskRow
from corodash.protocol import IDLE, PAUSED
from corodash.run_client import RunClient
from corodash.session import QueueListener, Reply, RunOptions

HELP = """\
commands (T is a task id, a task name, or a global variable that refers to the task):
  tasks              list every task, its state and where it is
  next T             next(T) on a generator or iterator
  send T VALUE       T.send(VALUE); VALUE is a Python literal: 3, 'text', None, (1, 2)
  throw T EXC [MSG]  T.throw(EXC(MSG)); EXC is ValueError, GeneratorExit, or one of yours
  close T            T.close()
  switch T [VALUE]   switch into greenlet T (passing VALUE, a Python literal)
  step [N]           run N events (default 1), then pause
  hub [on|off]       whether steps stop at switches into gevent's hub (default off)
  continue           run until the program's top level ends
  where T            T's stack, locals and source
  input TEXT         TEXT as a line on the program's stdin, for its input(); when the
                     program waits for one, the answer says "reading": true
  events [N]         the last N events (default 20)
  help               this text
  quit               end the program and leave
while the program runs, Ctrl-C pauses it (so does --pause-after SECONDS)"""

RESPONSE_TIMEOUT = float(os.environ.get("CORODASH_TEST_RESPONSE_TIMEOUT") or 30.0)
"""Seconds the agent gets to answer before the program counts as stuck (tests shorten it)."""
POLL = 0.05
"""Seconds between looks at Ctrl-C and the deadline while waiting for the program."""


class _PauseWanted(Exception):
    """Ctrl-C, or the program ran for the ``--pause-after`` seconds without stopping."""


class Repl:
    def __init__(
        self,
        options: RunOptions,
        json_mode: bool,
        out: TextIO = sys.stdout,
        pause_after: float | None = None,
    ) -> None:
        """``pause_after``: seconds a running program gets before the console pauses it."""
        self.pause_after = pause_after
        self.json_mode = json_mode
        self.out = out
        self.listener = QueueListener()
        self.client = RunClient(options, self.listener)
        self.history: list[dict[str, Any]] = []
        self._interrupted = False
        self.commands: dict[str, Callable[[list[str]], dict[str, Any]]] = {
            "tasks": self.cmd_tasks,
            "step": self.cmd_step,
            "continue": self.cmd_continue,
            "where": self.cmd_where,
            "events": self.cmd_events,
            "hub": self.cmd_hub,
            "help": self.cmd_help,
            "input": self.cmd_input,
            **{name: self.cmd_drive for name in DRIVE},
        }

    @property
    def model(self) -> RunModel:
        return self.client.model

    # -- the loop ------------------------------------------------------------------------

    def run(self, lines: TextIO = sys.stdin) -> int:
        if threading.current_thread() is threading.main_thread():
            # Ctrl-C pauses the program (a flag the waits look at); at the prompt it is a no-op.
            signal.signal(signal.SIGINT, self._interrupt)
        self.client.session.start()
        start = len(self.history)
        try:
            self._while_running(lambda: self.client.stopped)
        except Unresponsive as error:
            self.emit(False, self.history[start:], {}, str(error))
        else:
            self.emit(True, self.history[start:], self.client.status())
        for line in lines:
            try:
                words = split_words(line)
            except ReplError as error:
                self.emit(False, [], {}, str(error))
                continue
            if not words:
                continue
            if words[0] in ("quit", "exit"):
                start = len(self.history)
                self._end_program()
                self.emit(True, self.history[start:], {})
                return 0
            self.execute(words)
        self._end_program()
        return 0

    def _while_running(self, done: Callable[[], bool]) -> None:
        """Wait for ``done()`` while the program runs. Ctrl-C, or the ``pause_after``
        seconds running out, pauses it (a program may never end or never answer)."""
        self._interrupted = False
        client = self.client
        try:
            self._pump(lambda: done() or client.reading, running=True)
        except _PauseWanted:
            self._interrupted = False
            with contextlib.suppress(ConnectionError):
                self.client.request("pause")  # ignored if it has stopped already
            self._pump(done)

    def _interrupt(self, signum: int, frame: Any) -> None:
        self._interrupted = True

    def _end_program(self) -> None:
        """Stop the agent and take in what it said last (its end event)."""
        self.client.session.stop("stopped")
        self.client.session.wait(5)
        while True:
            try:
                what, payload = self.listener.queue.get_nowait()
            except queue.Empty:
                return
            self._handle(what, payload)

    def execute(self, words: list[str]) -> None:
        start = len(self.history)
        handler = self.commands.get(words[0])
        try:
            if handler is None:
                raise ReplError(f"unknown command {words[0]!r}: type help for the list")
            fields = handler(words)
        except ReplError as error:
            self.emit(False, self.history[start:], {}, str(error))
        else:
            self.emit(True, self.history[start:], fields)

    def emit(
        self, ok: bool, events: list[dict[str, Any]], fields: dict[str, Any], error: str = ""
    ) -> None:
        if self.json_mode:
            answer: dict[str, Any] = {"ok": ok, "events": events, **fields}
            if not ok:
                answer["error"] = error
            self.out.write(json.dumps(answer) + "\n")
        else:
            self.out.write(text_answer(ok, events, fields, error, self.model.labels))
        self.out.flush()

    # -- commands ------------------------------------------------------------------------

    def cmd_help(self, words: list[str]) -> dict[str, Any]:
        return {"help": HELP}

    def cmd_tasks(self, words: list[str]) -> dict[str, Any]:
        self._refresh_tasks()
        return {"tasks": [self._row_dict(row) for row in self.model.tasks.values()]}

    def cmd_step(self, words: list[str]) -> dict[str, Any]:
        return self._run_until_stop("step", count_arg(words, 1))

    def cmd_continue(self, words: list[str]) -> dict[str, Any]:
        return self._run_until_stop("continue")

    def _run_until_stop(self, name: str, *args: Any) -> dict[str, Any]:
        self._require_running_program()
        reply = self._request(name, *args)
        self._while_running(lambda: self.client.stopped_after(reply.seq))
        return self.client.status()

    def cmd_hub(self, words: list[str]) -> dict[str, Any]:
        """``hub on``: steps stop at switches into gevent's hub too; ``hub off``: not."""
        if len(words) > 1 and words[1] not in ("on", "off"):
            raise ReplError("usage: hub [on|off]")
        args = [words[1] == "on"] if len(words) > 1 else []
        return self._request("hub", *args).data

    def cmd_where(self, words: list[str]) -> dict[str, Any]:
        if len(words) < 2:
            raise ReplError("usage: where T")
        row = self._task(words[1])
        return {"where": self._request("where", row.id).data}

    def cmd_events(self, words: list[str]) -> dict[str, Any]:
        count = count_arg(words, 20)
        return {"history": self.history[-count:] if count else []}

    def cmd_input(self, words: list[str]) -> dict[str, Any]:
        """A line for the program's input(); then on until it stops (or reads again)."""
        try:
            self.client.send_input(words[1] if len(words) > 1 else "")
        except ConnectionError as error:
            raise ReplError(f"the program cannot read it: {error}") from None
        self._while_running(lambda: self.client.stopped)
        return self.client.status()

    def cmd_drive(self, words: list[str]) -> dict[str, Any]:
        name = words[0]
        if len(words) < 1 + DRIVE[name]:
            raise ReplError(f"usage: {usage(name)}")
        if self.client.ended:
            raise ReplError("the program has ended: nothing can be driven any more")
        row = self._task(words[1])
        args: list[Any] = [row.id]
        if name == "send":
            args.append(checked_literal(" ".join(words[2:])))
        elif name == "switch":
            args.extend(checked_literal(word) for word in words[2:])
        elif name == "throw":
            args.extend(words[2:])
        problem = self.client.drive_error(row, name)
        if problem is not None:
            raise ReplError(problem)
        before = self.client.stop_seq
        ident = self._send(name, *args)
        client = self.client

        def answered() -> bool:
            # The answer, or a pause of the driven code's own (while it loops): a paused
            # state numbered after the request was sent (a late idle one is not that).
            paused_inside = client.state == PAUSED and client.stop_seq > before
            return ident in client.replies or client.ended or paused_inside

        self._while_running(answered)
        reply = client.replies.pop(ident, None)
        if reply is None:
            outcome = "reading input" if client.reading else "paused"
            return {"outcome": outcome, **client.status()}
        # Refused or not, the driven code ran: the next command waits for the stop after it.
        self._pump(lambda: client.stopped_after(reply.seq))
        if not reply.ok:
            raise ReplError(reply.error)
        return {**reply.data, "task": row.id}

    # -- talking to the agent ------------------------------------------------------------

    def _send(self, name: str, *args: Any) -> int:
        try:
            return self.client.request(name, *args)
        except ConnectionError as error:
            raise ReplError(f"the program has ended ({error})") from None

    def _request(self, name: str, *args: Any) -> Reply:
        """Send a command and wait for its answer."""
        ident = self._send(name, *args)
        self._pump(lambda: ident in self.client.replies or self.client.ended)
        reply = self._answer(ident)
        if reply is None:
            raise ReplError("the program ended before answering")
        return reply

    def _answer(self, ident: int) -> Reply | None:
        reply = self.client.replies.pop(ident, None)
        if reply is not None and not reply.ok:
            raise ReplError(reply.error)
        return reply

    def _pump(self, done: Callable[[], bool], running: bool = False) -> None:
        """Handle agent messages until ``done()``. With ``running`` the program runs
        meanwhile: no answer is due, and Ctrl-C or the ``--pause-after`` deadline ends the
        wait by raising _PauseWanted. Interrupts are only ever looked at between messages,
        so none is half handled."""
        give_up = None
        if running and self.pause_after is not None:
            give_up = time.monotonic() + self.pause_after
        heard = time.monotonic()
        while not done():
            if running and (self._interrupted or (give_up and time.monotonic() >= give_up)):
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

    def _refresh_tasks(self) -> None:
        if not self.client.ended:
            self.model.merge_snapshot(self._request("tasks").data["tasks"])

    def _task(self, ref: str) -> TaskRow:
        self._refresh_tasks()
        row = self.model.resolve(ref)
        if row is None:
            raise ReplError(
                f"no task {ref!r}: give a task id, a task name or a global name (tasks lists them)"
            )
        return row

    def _require_running_program(self) -> None:
        if self.client.ended:
            raise ReplError("the program has ended")
        if self.client.state == IDLE:
            raise ReplError(
                "the program's top level has finished, so there is nothing to "
                "step: drive a task with next, send, throw, close or switch"
            )

    def _row_dict(self, row: TaskRow) -> dict[str, Any]:
        return {
            "id": row.id,
            "name": row.name,
            "kind": row.kind,
            "state": row.state,
            "globals": row.globals,
            "parent": row.parent,
            "yields": row.yields,
            "switches": row.switches,
            "file": row.file,
            "line": row.line,
            "function": row.function,
        }
