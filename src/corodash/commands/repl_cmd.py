"""``corodash repl SCRIPT``: a line console over a paused or finished program.

For people who want no full-screen UI, for screen readers and for scripts (``--json``: one
JSON object per command, on one line).
"""

from __future__ import annotations

import contextlib
import json
import queue
import shlex
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, TextIO

from corodash.describe import describe
from corodash.model import RunModel, TaskRow
from corodash.protocol import IDLE, PAUSED, LiteralError, parse_literal
from corodash.session import AgentSession, QueueListener, Reply, RunOptions

HELP = """\
commands (T is a task id, a task name, or a global variable that refers to the task):
  tasks              list every task, its state and where it is
  next T             next(T) on a generator or iterator
  send T VALUE       T.send(VALUE); VALUE is a Python literal: 3, 'text', None, (1, 2)
  throw T EXC [MSG]  T.throw(EXC(MSG)); EXC is ValueError, GeneratorExit, or one of yours
  close T            T.close()
  switch T           switch into greenlet T
  step [N]           run N events (default 1), then pause
  continue           run until the program's top level ends
  where T            T's stack, locals and source
  events [N]         the last N events (default 20)
  help               this text
  quit               end the program and leave
while the program runs, Ctrl-C pauses it (so does --pause-after SECONDS)"""

RESPONSE_TIMEOUT = 30.0
POLL = 0.05
"""Seconds between looks at Ctrl-C and the deadline while waiting for the program."""
_FINISHED_PHRASES = {
    "finished": "has finished",
    "failed": "has failed",
    "closed": "is closed",
    "dead": "is dead",
}
DRIVE = {"next": 1, "send": 2, "throw": 2, "close": 1, "switch": 1}


class ReplError(Exception):
    """A command that cannot be carried out; the console answers ok: false and goes on."""


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
        self.options = options
        self.pause_after = pause_after
        self._interrupted = False
        self.json_mode = json_mode
        self.out = out
        self.listener = QueueListener()
        self.session = AgentSession(options, self.listener)
        self.model = RunModel()
        self.history: list[dict[str, Any]] = []
        self.state = "starting"
        self.position: dict[str, Any] = {}
        self.replies: dict[int, Reply] = {}
        self.commands: dict[str, Callable[[list[str]], dict[str, Any]]] = {
            "tasks": self.cmd_tasks,
            "step": self.cmd_step,
            "continue": self.cmd_continue,
            "where": self.cmd_where,
            "events": self.cmd_events,
            "help": self.cmd_help,
            **{name: self.cmd_drive for name in DRIVE},
        }

    # -- the loop ------------------------------------------------------------------------

    def run(self, lines: TextIO = sys.stdin) -> int:
        if threading.current_thread() is threading.main_thread():
            # Ctrl-C pauses the program (a flag the waits look at); at the prompt it is a no-op.
            signal.signal(signal.SIGINT, self._interrupt)
        self.session.start()
        start = len(self.history)
        self._until_stopped()
        self.emit(True, self.history[start:], self._status_fields())
        for line in lines:
            words = _split(line)
            if words is None:
                self.emit(False, [], {}, "unbalanced quotes in the command")
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

    def _until_stopped(self, after_running: bool = False) -> None:
        """Wait for the program to pause or its top level to end."""
        self._while_running(self._stopped, after_running)

    def _while_running(self, done: Callable[[], bool], after_running: bool = False) -> None:
        """Wait for ``done()`` while the program runs. Ctrl-C, or the ``pause_after``
        seconds running out, pauses it (a program may never end or never answer)."""
        self._interrupted = False
        try:
            self._pump(done, after_running=after_running, running=True)
        except _PauseWanted:
            self._interrupted = False
            with contextlib.suppress(ConnectionError):
                self.session.send("pause")  # the agent ignores it if it has stopped already
            self._pump(done, after_running=after_running)

    def _interrupt(self, signum: int, frame: Any) -> None:
        self._interrupted = True

    def _stopped(self) -> bool:
        return self.state in (PAUSED, IDLE, "ended")

    def _end_program(self) -> None:
        """Stop the agent and take in what it said last (its end event)."""
        self.session.stop("stopped")
        self.session.wait(5)
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
            self.out.write(self._text(ok, events, fields, error))
        self.out.flush()

    # -- commands ------------------------------------------------------------------------

    def cmd_help(self, words: list[str]) -> dict[str, Any]:
        return {"help": HELP}

    def cmd_tasks(self, words: list[str]) -> dict[str, Any]:
        self._refresh_tasks()
        return {"tasks": [self._row_dict(row) for row in self.model.tasks.values()]}

    def cmd_step(self, words: list[str]) -> dict[str, Any]:
        count = _count_arg(words, 1)
        self._require_running_program()
        self._request("step", count)
        self._until_stopped(after_running=True)
        return self._status_fields()

    def cmd_continue(self, words: list[str]) -> dict[str, Any]:
        self._require_running_program()
        self._request("continue")
        self._until_stopped(after_running=True)
        return self._status_fields()

    def cmd_where(self, words: list[str]) -> dict[str, Any]:
        if len(words) < 2:
            raise ReplError("usage: where T")
        row = self._task(words[1])
        return {"where": self._request("where", row.id).data}

    def cmd_events(self, words: list[str]) -> dict[str, Any]:
        count = _count_arg(words, 20)
        return {"history": self.history[-count:] if count else []}

    def cmd_drive(self, words: list[str]) -> dict[str, Any]:
        name = words[0]
        if len(words) < 1 + DRIVE[name]:
            raise ReplError(f"usage: {_usage(name)}")
        if self.state == "ended":
            raise ReplError("the program has ended: nothing can be driven any more")
        row = self._task(words[1])
        args: list[Any] = [row.id]
        if name == "send":
            literal = " ".join(words[2:])
            try:
                parse_literal(literal)
            except LiteralError as error:
                raise ReplError(str(error)) from None
            args.append(literal)
        elif name == "throw":
            args.extend(words[2:])
        if row.finished and name != "close":
            raise ReplError(f"{row.label} {_FINISHED_PHRASES[row.state]}: {name} cannot resume it")
        reply = self._request(name, *args, wait_for_pause=True)
        if reply is None:
            return {"outcome": "paused", **self._status_fields()}
        # The agent says where it stands again right after the reply: wait for that.
        self._pump(self._stopped)
        return {**reply.data, "task": row.id}

    # -- talking to the agent ------------------------------------------------------------

    def _request(self, name: str, *args: Any, wait_for_pause: bool = False) -> Any:
        try:
            ident = self.session.send(name, *args)
        except ConnectionError as error:
            raise ReplError(f"the program has ended ({error})") from None

        def answered() -> bool:
            if ident in self.replies or self.state == "ended":
                return True
            return wait_for_pause and self.state == PAUSED and self._paused_since_request

        self._paused_since_request = False
        if wait_for_pause:  # a drive command runs the program
            self._while_running(answered)
        else:
            self._pump(answered)
        reply = self.replies.pop(ident, None)
        if reply is None:
            if self.state == "ended":
                raise ReplError("the program ended before answering")
            return None
        if not reply.ok:
            raise ReplError(reply.error)
        return reply

    def _pump(
        self, done: Callable[[], bool], after_running: bool = False, running: bool = False
    ) -> None:
        """Handle agent messages until ``done()``; with ``after_running``, first wait for
        the agent to leave its current pause (its stale state must not count). With
        ``running`` the program runs meanwhile: no answer is due, and Ctrl-C or the
        ``--pause-after`` deadline ends the wait by raising _PauseWanted. Interrupts are
        only ever looked at between messages, so none is half handled."""
        waiting_for_run = after_running
        give_up = None
        if running and self.pause_after is not None:
            give_up = time.monotonic() + self.pause_after
        heard = time.monotonic()
        while True:
            if not waiting_for_run and done():
                return
            if running and (self._interrupted or (give_up and time.monotonic() >= give_up)):
                raise _PauseWanted
            try:
                what, payload = self.listener.queue.get(timeout=POLL)
            except queue.Empty:
                if not running and time.monotonic() - heard > RESPONSE_TIMEOUT:
                    raise ReplError(
                        "no answer from the program within "
                        f"{RESPONSE_TIMEOUT:g}s (is it stuck in C code?)"
                    ) from None
                continue
            heard = time.monotonic()
            if what == "state" and payload[0] == "running":
                waiting_for_run = False
            if what in ("toplevel", "ended"):
                waiting_for_run = False
            self._handle(what, payload)

    def _handle(self, what: str, payload: Any) -> None:
        if what == "events":
            self.model.apply_all(payload)
            self.history.extend(payload)
        elif what == "state":
            self.state, self.position = payload
            if self.state == PAUSED:
                self._paused_since_request = True
        elif what == "reply":
            self.replies[payload.id] = payload
        elif what == "toplevel":
            self.state = IDLE
            self.top_level = payload
        elif what == "ended":
            self.state = "ended"

    def _refresh_tasks(self) -> None:
        if self.state != "ended":
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
        if self.state == "ended":
            raise ReplError("the program has ended")
        if self.state == IDLE:
            raise ReplError(
                "the program's top level has finished, so there is nothing to "
                "step: drive a task with next, send, throw, close or switch"
            )

    def _status_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {"state": self.state}
        if self.state == PAUSED:
            fields["position"] = self.position
        if self.state in (IDLE, "ended"):
            end = self.session.end or getattr(self, "top_level", None)
            if end:
                fields["status"] = {k: end.get(k) for k in ("status", "exit_code", "error")}
        return fields

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

    # -- text answers ----------------------------------------------------------------------

    def _text(
        self, ok: bool, events: list[dict[str, Any]], fields: dict[str, Any], error: str
    ) -> str:
        labels = self.model.labels
        lines = [f"  [{e['seq']}] {describe(e, labels)}" for e in events]
        if not ok:
            lines.append(f"error: {error}")
        lines.extend(_text_fields(fields, labels))
        return "\n".join(lines) + "\n" if lines else ""


def _text_fields(fields: dict[str, Any], labels: Mapping[int, str]) -> list[str]:
    lines: list[str] = []
    if "help" in fields:
        lines.append(fields["help"])
    for task in fields.get("tasks", []):
        where = f"{task['file']}:{task['line']}" if task["file"] else ""
        names = ",".join(task["globals"])
        lines.append(
            f"  {task['id']:>4}  {task['name'][:18]:<18} {task['kind']:<9} "
            f"{task['state']:<11} y={task['yields']:<4} s={task['switches']:<4} "
            f"{names:<10} {where}"
        )
    for event in fields.get("history", []):
        lines.append(f"  [{event['seq']}] {describe(event, labels)}")
    if "outcome" in fields and fields["outcome"] != "paused":
        detail = fields.get("value", fields.get("error", ""))
        lines.append(f"=> {fields['outcome']} {detail}".rstrip())
    if "where" in fields:
        lines.extend(_where_lines(fields["where"]))
    if fields.get("state") == PAUSED:
        pos = fields.get("position", {})
        at = f" at {pos['file']}:{pos['line']} in {pos['function']}" if pos.get("file") else ""
        lines.append(f"paused in {labels.get(pos.get('task'), '?')}{at}")
    elif "status" in fields and fields.get("state") in (IDLE, "ended"):
        status = fields["status"]
        verb = "top level" if fields["state"] == IDLE else "program"
        lines.append(
            f"{verb} {status['status']} (exit status {status['exit_code']})"
            + (f": {status['error']}" if status.get("error") else "")
        )
    return lines


def _where_lines(where: dict[str, Any]) -> list[str]:
    lines = [f"{where['name']} ({where['state']})"]
    for frame in where["stack"]:
        mark = " " if frame["user"] else "~"
        lines.append(f" {mark} {frame['file']}:{frame['line']} in {frame['function']}")
    for name, value in where["locals"].items():
        lines.append(f"    {name} = {value}")
    source = where.get("source")
    if source:
        for number, text in enumerate(source["lines"], source["first"]):
            arrow = "->" if number == source["line"] else "  "
            lines.append(f"  {arrow} {number:>4} {text}")
    return lines


def _split(line: str) -> list[str] | None:
    """Words of a command; a send keeps its value as typed (quotes are part of a literal)."""
    if line.split(None, 1)[:1] == ["send"]:
        return line.split(None, 2)
    try:
        return shlex.split(line, posix=True)
    except ValueError:
        return None


def _count_arg(words: list[str], default: int) -> int:
    if len(words) < 2:
        return default
    if not words[1].isdigit():
        raise ReplError(f"{words[1]!r} is not a count: give a whole number")
    return int(words[1])


def _usage(name: str) -> str:
    return {
        "next": "next T",
        "send": "send T VALUE",
        "throw": "throw T EXC [MSG]",
        "close": "close T",
        "switch": "switch T",
    }[name]
