"""``corodash trace SCRIPT``: run a program to its end, traced, and write the JSONL trace."""

from __future__ import annotations

import sys
import time
from collections import Counter
from typing import Any, TextIO

from corodash.session import AgentSession, QueueListener, RunOptions
from corodash.trace_format import TraceWriter

EXIT_OK, EXIT_USER_ERROR, EXIT_USAGE, EXIT_TIMEOUT = 0, 1, 2, 124


class TraceRun:
    """Runs one agent in free-run mode and drains its events into a trace file."""

    def __init__(
        self, options: RunOptions, out: str, timeout: float | None, echo: TextIO | None
    ) -> None:
        self.options = options
        self.out = out
        self.timeout = timeout
        self.echo = echo
        self.counts: Counter[str] = Counter()
        self.task_kinds: Counter[str] = Counter()
        self.wall = 0.0
        self.end: dict[str, Any] = {}

    def run(self) -> dict[str, Any]:
        listener = QueueListener()
        session = AgentSession(self.options, listener)
        writer = TraceWriter(self.out)
        started = time.perf_counter()
        deadline = started + self.timeout if self.timeout else None
        session.start()
        try:
            while True:
                wait = None if deadline is None else max(0.0, deadline - time.perf_counter())
                try:
                    what, payload = listener.queue.get(timeout=wait)
                except Exception:  # queue.Empty: the time is up
                    session.stop("timeout")
                    deadline = None
                    continue
                if what == "events":
                    writer.write(payload)
                    self._count(payload)
                elif what == "ended":
                    self.end = payload
                    break
        finally:
            writer.close()
            session.kill()
        self.wall = time.perf_counter() - started
        return self.end

    def _count(self, events: list[dict[str, Any]]) -> None:
        echo = self.echo
        for event in events:
            kind = event["kind"]
            self.counts[kind] += 1
            if kind == "spawn":
                self.task_kinds[event["task_kind"]] += 1
            elif kind == "output" and echo is not None:
                stream = sys.stderr if event["stream"] == "stderr" else echo
                print(event["text"], file=stream, flush=True)

    def summary(self) -> str:
        tasks = ", ".join(f"{n} {k}" for k, n in sorted(self.task_kinds.items())) or "none"
        events = ", ".join(f"{n} {k}" for k, n in sorted(self.counts.items()))
        status = self.end.get("status", "?")
        code = self.end.get("exit_code")
        lines = [
            f"corodash: {status}"
            + (f" (exit status {code})" if code not in (0, None) else "")
            + f" in {self.wall:.3f}s",
            f"  tasks:  {tasks}",
            f"  events: {sum(self.counts.values())} ({events})",
            f"  trace:  {self.out}",
        ]
        return "\n".join(lines)


def exit_status(end: dict[str, Any]) -> int:
    status = end.get("status")
    if status == "finished":
        return EXIT_OK
    if status == "timeout":
        return EXIT_TIMEOUT
    if status == "error":
        return end.get("exit_code") or EXIT_USER_ERROR
    code = end.get("exit_code")
    if isinstance(code, int) and code < 0:
        return 128 - code
    return code if isinstance(code, int) else EXIT_USER_ERROR


def report_end(end: dict[str, Any], stream: TextIO) -> None:
    """What went wrong, as the user would want to read it (their traceback, no ours)."""
    if end.get("traceback"):
        stream.write(end["traceback"])
        hint = removed_name_hint(end.get("error") or "")
        if hint:
            stream.write(f"corodash: hint: {hint}\n")
    elif end.get("error"):
        stream.write(f"corodash: {end['error']}\n")
    if end.get("status") == "timeout":
        stream.write("corodash: the program was stopped by --timeout; the trace so far is kept\n")


_MOVED_TO_ABC = (
    "Iterable",
    "Iterator",
    "Generator",
    "Mapping",
    "MutableMapping",
    "Sequence",
    "Callable",
    "Hashable",
    "Set",
    "MutableSet",
    "Awaitable",
    "Coroutine",
)


def removed_name_hint(error: str) -> str | None:
    """Explain the best-known removal: the collections ABCs, gone from Python 3.10 on."""
    for name in _MOVED_TO_ABC:
        if f"cannot import name '{name}' from 'collections'" in error:
            return (
                f"{name} moved to collections.abc in Python 3.3 and was removed from "
                f"collections in 3.10: write 'from collections.abc import {name}'"
            )
    return None
