"""``corodash repl RECORDING``: the history of a finished run, a line console over it.

The same answers as the live console (``--json``: one object per command, on one line), each
given as of the cursor: the event looked at, whose state is the one right after it. Nothing
runs, so the commands that drive a program are refused, with why.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TextIO

from corodash.commands.repl_parsing import ReplError, command_lines, count_arg
from corodash.commands.repl_text import json_answer, text_answer
from corodash.describe import describe
from corodash.event_sources import Event, EventSource
from corodash.history import History, HistoryError, past_where
from corodash.model import TaskRow

HELP = """\
a recording: nothing runs, every answer is as of the cursor (an event; the state shown is
the one right after it). T is a task id, label or name.
  goto SEQ           move the cursor to event SEQ
  back [N]           N events back (default 1); forward [N]: N events on
  present            to the last event
  tasks              every task as of the cursor: state, counts, where
  where T            T's place and source as of the cursor, and its locals where recorded
  events [N]         the last N events up to the cursor (default 20)
  find TEXT          to the next event whose line says TEXT (from the start if none after)
  origin             from a yield (or return) back to the next() or send() that resumed it
  help               this text
  quit               leave"""
LIVE_ONLY = frozenset(
    {"next", "send", "throw", "close", "switch", "step", "continue", "until", "break"}
    | {"breaks", "clear", "toggle", "hub", "input", "expand"}
)


class HistoryRepl:
    """Reads command lines and answers each from a History."""

    def __init__(self, source: EventSource, json_mode: bool, out: TextIO = sys.stdout) -> None:
        self.history = History(source)
        self.json_mode = json_mode
        self.out = out
        self.commands: dict[str, Callable[[list[str]], dict[str, Any]]] = {
            "goto": self.cmd_goto,
            "back": lambda words: self._moved(self.history.back(count_arg(words, 1))),
            "forward": lambda words: self._moved(self.history.forward(count_arg(words, 1))),
            "present": lambda words: self._moved(self.history.present()),
            "tasks": self.cmd_tasks,
            "where": self.cmd_where,
            "events": self.cmd_events,
            "find": self.cmd_find,
            "origin": lambda words: self._moved(self.history.origin()),
            "help": lambda words: {"help": HELP},
        }

    def run(self, lines: TextIO = sys.stdin) -> int:
        self._answer(self.cmd_open, [])
        for words in command_lines(lines, lambda error: self.emit(False, {}, error)):
            if words[0] in ("quit", "exit"):
                self.emit(True, {})
                return 0
            self._answer(self.commands.get(words[0], self.cmd_unknown), words)
        return 0

    def _answer(self, command: Callable[[list[str]], dict[str, Any]], words: list[str]) -> None:
        try:
            fields = command(words)
        except (ReplError, HistoryError) as error:
            self.emit(False, {"cursor": self.history.cursor}, str(error))
        else:
            self.emit(True, fields)

    def emit(self, ok: bool, fields: dict[str, Any], error: str = "") -> None:
        if self.json_mode:
            self.out.write(json_answer(ok, [], fields, error))
        else:
            labels = self.history.model().labels
            text = text_answer(ok, [], fields, error, labels)
            if "event" in fields:
                event = fields["event"]
                text = f"at event {event['seq']} of {fields['count']}: " + (
                    f"{describe(event, labels, labels.iterators)}\n{text}"
                )
            self.out.write(text)
        self.out.flush()

    # -- commands ------------------------------------------------------------------------

    def cmd_open(self, words: list[str]) -> dict[str, Any]:
        """The first answer: the run at its last event (as a debugger shows a post-mortem)."""
        if self.history.count() == 0:
            return {"cursor": -1, "count": 0, "history_mode": True}
        return {**self._moved(self.history.present()), "history_mode": True}

    def cmd_goto(self, words: list[str]) -> dict[str, Any]:
        if len(words) != 2:
            raise ReplError("usage: goto SEQ")
        return self._moved(self.history.goto(count_arg(words, 0)))

    def cmd_tasks(self, words: list[str]) -> dict[str, Any]:
        model = self.history.model()
        return {
            "cursor": self.history.cursor,
            "tasks": [row.as_dict() for row in model.tasks.values()],
        }

    def cmd_where(self, words: list[str]) -> dict[str, Any]:
        if len(words) < 2:
            raise ReplError("usage: where T")
        return {"cursor": self.history.cursor, "where": past_where(self._task(words[1]))}

    def cmd_events(self, words: list[str]) -> dict[str, Any]:
        return {"cursor": self.history.cursor, "history": self.history.recent(count_arg(words, 20))}

    def cmd_find(self, words: list[str]) -> dict[str, Any]:
        if len(words) < 2:
            raise ReplError("usage: find TEXT")
        labels = dict(self.history.model().labels)

        def line(event: Event) -> str:
            if event["kind"] == "spawn":
                labels.setdefault(event["task"], event.get("label") or event["name"])
            return describe(event, labels)

        return self._moved(self.history.find(" ".join(words[1:]), line))

    def cmd_unknown(self, words: list[str]) -> dict[str, Any]:
        if words[0] in LIVE_ONLY:
            raise ReplError(
                f"{words[0]} drives a running program: this is a recording, nothing runs "
                "(corodash repl SCRIPT runs one)"
            )
        raise ReplError(f"unknown command {words[0]!r}: type help for the list")

    def _task(self, ref: str) -> TaskRow:
        row = self.history.model().resolve(ref)
        if row is None:
            raise ReplError(
                f"no task {ref!r} as of event {self.history.cursor}: give a task id, label "
                "or name (tasks lists them)"
            )
        return row

    def _moved(self, event: Event) -> dict[str, Any]:
        return {"cursor": event["seq"], "count": self.history.count(), "event": event}
