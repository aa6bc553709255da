"""``corodash trace SCRIPT``: run a program to its end, traced, and write the JSONL trace."""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from operator import itemgetter
from typing import Any, TextIO

from corodash.hints import removed_name_hint
from corodash.session import AgentSession, Reply, RunOptions
from corodash.trace_format import TraceWriter, output_bytes

_KIND = itemgetter("kind")
EXIT_OK, EXIT_USER_ERROR, EXIT_USAGE, EXIT_TIMEOUT = 0, 1, 2, 124


class TraceRun:
    """Runs one agent in free-run mode and writes its events to a trace file as they come.

    Writing happens on the session's reader thread, in the listener, so a flood of events
    costs one decode, one expansion and one encode each, with no hand-over between threads.
    """

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
        self._writer: TraceWriter | None = None
        self._ended = threading.Event()

    def run(self) -> dict[str, Any]:
        self._writer = TraceWriter(self.out)
        session = AgentSession(self.options, self)
        started = time.perf_counter()
        session.start()
        try:
            if not self._ended.wait(self.timeout):
                session.stop("timeout")
            self._ended.wait()
        finally:
            session.kill()
            self._writer.close()
        self.wall = time.perf_counter() - started
        return self.end

    # -- the session's listener ----------------------------------------------------------

    def events(self, events: list[dict[str, Any]]) -> None:
        assert self._writer is not None
        self._writer.write(events)
        counts = Counter(map(_KIND, events))
        self.counts.update(counts)
        if "spawn" in counts:
            self.task_kinds.update(e["task_kind"] for e in events if e["kind"] == "spawn")
        if "output" in counts and self.echo is not None:
            for event in events:
                if event["kind"] == "output":
                    stream = sys.stderr if event["stream"] == "stderr" else self.echo
                    write_exactly(event, stream)

    def state(self, state: str, info: dict[str, Any]) -> None:
        """Free-run mode never pauses."""

    def reply(self, reply: Reply) -> None:
        """No commands are sent but stop, which has no reply."""

    def toplevel(self, status: dict[str, Any]) -> None:
        """Only sent to agents that stay."""

    def ended(self, end: dict[str, Any]) -> None:
        self.end = end
        self._ended.set()

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


def write_exactly(event: dict[str, Any], stream: TextIO) -> None:
    """An output event's bytes as the program wrote them, to a terminal or file."""
    stream.flush()
    stream.buffer.write(output_bytes(event))
    stream.buffer.flush()


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
