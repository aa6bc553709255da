"""``corodash repl --attach TARGET``: a line console on a running service (``corodash.listen``).

The service is watched, never stopped: ``tasks`` lists every live greenlet and where it is,
``where T`` its stack and locals, ``events [N]`` what happened since attaching, ``blocks``
the greenlets that held gevent's hub up. ``quit`` (or ``detach``, or end of input) detaches:
the service's tracer is as it was. ``--json`` answers as the other consoles do.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TextIO

from corodash.blocking_run import BlockingRun, RunError
from corodash.commands.repl_parsing import ReplError, command_lines, count_arg
from corodash.commands.repl_text import json_answer, text_answer

HELP = """\
attached to a running process: watched as it runs. T is a task id, label or name.
  tasks              every live greenlet: state, where it is
  where T            T's stack, locals and source
  events [N]         the last N events since attaching (default 20)
  blocks             every time a greenlet held gevent's hub up, and where
  pause              stop the whole service at its next switch (it serves nothing meanwhile)
  step [N]           when paused: let N events happen, then stop again
  continue           let the service run again
  help               this text
  quit               detach (so does detach, or the end of input): the process goes on"""


class AttachRepl:
    def __init__(self, program: BlockingRun, json_mode: bool, out: TextIO = sys.stdout) -> None:
        self.program = program
        self.json_mode = json_mode
        self.out = out
        self.commands: dict[str, Callable[[list[str]], dict[str, Any]]] = {
            "tasks": self.cmd_tasks,
            "where": self.cmd_where,
            "events": self.cmd_events,
            "blocks": lambda words: {"history": self._blocks()},
            "pause": self.cmd_pause,
            "step": lambda words: self.program.run_until_stop("step", count_arg(words, 1)),
            "continue": self.cmd_continue,
            "help": lambda words: {"help": HELP},
        }

    def run(self, lines: TextIO = sys.stdin) -> int:
        session = self.program.client.session
        session.start()
        self._answer(lambda words: {"attached": session.pid, **self.cmd_tasks(words)}, [])
        for words in command_lines(lines, lambda error: self.emit(False, {}, error)):
            if words[0] in ("quit", "exit", "detach"):
                break
            command = self.commands.get(words[0])
            if command is None:
                self.emit(False, {}, _refusal(words[0]))
            else:
                self._answer(command, words)
        self.program.end()
        end = self.program.client.session.end or {}
        self.emit(True, {"status": {k: end.get(k) for k in ("status", "exit_code", "error")}})
        return 0

    def _answer(self, command: Callable[[list[str]], dict[str, Any]], words: list[str]) -> None:
        try:
            fields = command(words)
        except RunError as error:
            self.emit(False, {}, str(error))
        else:
            self.emit(True, fields)

    def emit(self, ok: bool, fields: dict[str, Any], error: str = "") -> None:
        if self.json_mode:
            self.out.write(json_answer(ok, [], fields, error))
        else:
            self.out.write(text_answer(ok, [], fields, error, self.program.model.labels))
        self.out.flush()

    def cmd_pause(self, words: list[str]) -> dict[str, Any]:
        """The service stops at its next switch, and serves nothing until ``continue``."""
        warning = self.program.request("pause").data["warning"]
        self.program.wait_for(lambda: self.program.client.stopped)
        return {"warning": warning, **self.program.client.status()}

    def cmd_continue(self, words: list[str]) -> dict[str, Any]:
        self.program.request("continue")
        self.program.wait_for(lambda: self.program.client.state == "running")
        return self.program.client.status()

    def cmd_tasks(self, words: list[str]) -> dict[str, Any]:
        self.program.refresh_tasks()
        return {"tasks": [row.as_dict() for row in self.program.model.tasks.values()]}

    def cmd_where(self, words: list[str]) -> dict[str, Any]:
        if len(words) < 2:
            raise ReplError("usage: where T")
        row = self.program.task(words[1])
        return {"where": self.program.request("where", row.id).data}

    def cmd_events(self, words: list[str]) -> dict[str, Any]:
        self.program.request("tasks")  # takes in every event sent before the answer
        count = count_arg(words, 20)
        return {"history": self.program.history[-count:] if count else []}

    def _blocks(self) -> list[dict[str, Any]]:
        self.program.request("tasks")
        return [event for event in self.program.history if event["kind"] == "block"]


def _refusal(name: str) -> str:
    if name in ("next", "send", "throw", "close", "switch", "until", "input", "break"):
        return (
            f"{name} is not available attached: a running service is watched, paused and "
            "stepped, never driven"
        )
    return f"unknown command {name!r}: type help for the list"
