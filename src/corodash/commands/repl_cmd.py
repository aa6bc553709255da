"""``corodash repl SCRIPT``: a line console over a paused or finished program.

For people who want no full-screen UI, for screen readers and for scripts (``--json``: one
JSON object per command, on one line).
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable
from typing import Any, TextIO

from corodash.blocking_run import BlockingRun, RunError
from corodash.commands.repl_parsing import (
    DRIVE,
    ReplError,
    checked_literal,
    command_lines,
    count_arg,
    usage,
)
from corodash.commands.repl_text import json_answer, text_answer
from corodash.session import RunOptions

BREAK_USAGE = "break FILE:LINE | break yield T | break switch T | break task T | break block"
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
  continue           run until the program's top level ends (or a breakpoint)
  until T            run until T's next event (a resume, yield, switch into it, its end)
  break FILE:LINE    stop when that line is about to run (FILE: a path or a file name)
  break yield T      stop when T yields; break switch T: when a switch goes into T
  break block        stop when a greenlet has held gevent's hub up (a block is reported)
  breaks             list the breakpoints; clear N removes one, toggle N turns it off/on
  where T [N]        T's stack, locals (of frame N, counted from the outermost: default the
                     innermost of your code) and source; "open" names the locals that open
  expand T NAME [P]  the attributes or items of T's local NAME, then of its part P (a token
                     the answer gives: .attr or #index), under the same repr limits
  input TEXT         TEXT as a line on the program's stdin, for its input(); when the
                     program waits for one, the answer says "reading": true
  events [N]         the last N events (default 20)
  help               this text
  quit               end the program and leave
while the program runs, Ctrl-C pauses it (so does --pause-after SECONDS)"""


class Repl:
    """Reads command lines, carries each out on a BlockingRun, and writes one answer each."""

    def __init__(
        self,
        options: RunOptions,
        json_mode: bool,
        out: TextIO = sys.stdout,
        pause_after: float | None = None,
    ) -> None:
        """``pause_after``: seconds a running program gets before the console pauses it."""
        self.json_mode = json_mode
        self.out = out
        self.program = BlockingRun(options, pause_after)
        self.commands: dict[str, Callable[[list[str]], dict[str, Any]]] = {
            "tasks": self.cmd_tasks,
            "step": lambda words: self.program.run_until_stop("step", count_arg(words, 1)),
            "continue": lambda words: self.program.run_until_stop("continue"),
            "until": self.cmd_until,
            "break": self.cmd_break,
            "breaks": lambda words: self.program.request("breaks").data,
            "clear": self.cmd_clear,
            "toggle": self.cmd_clear,
            "where": self.cmd_where,
            "expand": self.cmd_expand,
            "events": self.cmd_events,
            "hub": self.cmd_hub,
            "help": lambda words: {"help": HELP},
            "input": lambda words: self.program.send_input(words[1] if len(words) > 1 else ""),
            **{name: self.cmd_drive for name in DRIVE},
        }

    # -- the loop ------------------------------------------------------------------------

    def run(self, lines: TextIO = sys.stdin) -> int:
        if threading.current_thread() is threading.main_thread():
            # Ctrl-C pauses the program (a flag the waits look at); at the prompt it is a no-op.
            signal.signal(signal.SIGINT, lambda signum, frame: self.program.interrupt())
        self._answer(lambda words: self.program.start(), [])
        for words in command_lines(lines, lambda error: self.emit(False, [], {}, error)):
            if words[0] in ("quit", "exit"):
                self._answer(self._quit, words)
                return 0
            handler = self.commands.get(words[0])
            if handler is None:
                self.emit(False, [], {}, f"unknown command {words[0]!r}: type help for the list")
            else:
                self._answer(handler, words)
        self.program.end()
        return 0

    def _quit(self, words: list[str]) -> dict[str, Any]:
        self.program.end()
        return {}

    def _answer(self, command: Callable[[list[str]], dict[str, Any]], words: list[str]) -> None:
        """Carry a command out and write its answer, with the events it caused."""
        start = len(self.program.history)
        try:
            fields = command(words)
        except RunError as error:
            self.emit(False, self.program.history[start:], {}, str(error))
        else:
            self.emit(True, self.program.history[start:], fields)

    def emit(
        self, ok: bool, events: list[dict[str, Any]], fields: dict[str, Any], error: str = ""
    ) -> None:
        if self.json_mode:
            self.out.write(json_answer(ok, events, fields, error))
        else:
            self.out.write(text_answer(ok, events, fields, error, self.program.model.labels))
        self.out.flush()

    # -- commands ------------------------------------------------------------------------

    def cmd_tasks(self, words: list[str]) -> dict[str, Any]:
        self.program.refresh_tasks()
        return {"tasks": [row.as_dict() for row in self.program.model.tasks.values()]}

    def cmd_until(self, words: list[str]) -> dict[str, Any]:
        if len(words) < 2:
            raise ReplError("usage: until T")
        return self.program.run_until_stop("until", self.program.task(words[1]).id)

    def cmd_break(self, words: list[str]) -> dict[str, Any]:
        """``break block``, ``break yield T``, ``break switch T``, ``break task T``, or
        ``break FILE:LINE``."""
        if len(words) == 2 and words[1] == "block":
            return self.program.request("break", "block").data
        if len(words) == 3 and words[1] in ("yield", "switch", "task"):
            return self.program.request("break", words[1], self.program.task(words[2]).id).data
        place = words[1].rpartition(":") if len(words) == 2 else ("", "", "")
        if place[0] and place[2].isdigit():
            return self.program.request("break", "line", place[0], int(place[2])).data
        raise ReplError(f"usage: {BREAK_USAGE}")

    def cmd_clear(self, words: list[str]) -> dict[str, Any]:
        """``clear N`` removes breakpoint N, ``toggle N`` turns it off or on again."""
        return self.program.request(words[0], count_arg(words, 0)).data

    def cmd_hub(self, words: list[str]) -> dict[str, Any]:
        """``hub on``: steps stop at switches into gevent's hub too; ``hub off``: not."""
        if len(words) > 1 and words[1] not in ("on", "off"):
            raise ReplError("usage: hub [on|off]")
        args = [words[1] == "on"] if len(words) > 1 else []
        return self.program.request("hub", *args).data

    def cmd_where(self, words: list[str]) -> dict[str, Any]:
        if len(words) < 2:
            raise ReplError("usage: where T")
        row = self.program.task(words[1])
        at = [count_arg(words[1:], 0)] if len(words) > 2 else []
        return {"where": self.program.request("where", row.id, *at).data}

    def cmd_expand(self, words: list[str]) -> dict[str, Any]:
        """``expand T NAME [PART...]``: the attributes or items of a local of T's innermost
        frame (PART: a token a previous answer gave, ``.attr`` or ``#index``)."""
        if len(words) < 3:
            raise ReplError("usage: expand T NAME [PART...]")
        row = self.program.task(words[1])
        return self.program.request("expand", row.id, None, *words[2:]).data

    def cmd_events(self, words: list[str]) -> dict[str, Any]:
        count = count_arg(words, 20)
        return {"history": self.program.history[-count:] if count else []}

    def cmd_drive(self, words: list[str]) -> dict[str, Any]:
        name = words[0]
        if len(words) < 1 + DRIVE[name]:
            raise ReplError(f"usage: {usage(name)}")
        if self.program.client.ended:
            raise ReplError("the program has ended: nothing can be driven any more")
        row = self.program.task(words[1])
        args: list[Any] = []
        if name == "send":
            args.append(checked_literal(" ".join(words[2:])))
        elif name == "switch":
            args.extend(checked_literal(word) for word in words[2:])
        elif name == "throw":
            args.extend(words[2:])
        return self.program.drive(name, row, *args)
