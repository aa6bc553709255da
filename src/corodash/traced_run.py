"""One program run to its end in free-run mode, its events written as they come: to a
binary recording (recording_file.py) or, for a ``.jsonl`` name, to a JSONL trace. UI-free:
``corodash trace`` prints it, ``compare`` runs it twice.

Writing happens on the session's reader thread, in the listener, which takes the agent's
batches undecoded: a recording stores them as they came (a flood costs no Python object per
event), a JSONL trace expands them once, with no hand-over between threads.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any, TextIO

from corodash.agent_launch import Launched, RunOptions
from corodash.protocol import OUTPUT, SPAWN, event_dict
from corodash.recording_file import RecordingWriter
from corodash.records import count_kinds, kinds
from corodash.session import AgentSession, Listener, Reply
from corodash.trace_format import TraceWriter, output_bytes


def trace_sink(path: str) -> RecordingWriter | TraceWriter:
    """Where a run's events go: a JSONL trace for a ``.jsonl`` name, else a recording."""
    return TraceWriter(path) if path.endswith(".jsonl") else RecordingWriter(path)


class TraceRun:
    """Runs one agent in free-run mode; ``cancel`` (from any thread) stops it early with
    every event so far kept and an ``end`` whose status says why."""

    def __init__(
        self,
        options: RunOptions,
        out: str,
        timeout: float | None,
        echo: TextIO | None,
        launched: Launched | None = None,
        session: Callable[[Listener], AgentSession] | None = None,
    ) -> None:
        """``launched``: the agent, when the caller started it early (agent_launch.py);
        ``session``: makes the session instead (an attachment: attach_session.py), whose
        ``stop`` at the timeout or a cancel ends it."""
        self.options = options
        self._launched = launched
        self._make_session = session
        self.out = out
        self.timeout = timeout
        self.echo = echo
        self.counts: Counter[str] = Counter()
        self.task_kinds: Counter[str] = Counter()
        self.wall = 0.0
        self.end: dict[str, Any] = {}
        self.write_error: str | None = None
        """Why the trace file could not be written (the run was then stopped)."""
        self.cancelled: str | None = None
        """Why the run was cut short from outside ("interrupted"), if it was."""
        self._writer: RecordingWriter | TraceWriter | None = None
        self._session: AgentSession | None = None
        self._ended = threading.Event()
        self._wake = threading.Event()
        """Set by the end or by ``cancel``: the main thread waits on this one."""

    def run(self) -> dict[str, Any]:
        """Run to the end, the timeout or a cancel; the ``end`` event. Raises OSError if
        the trace file cannot be written."""
        try:
            self._writer = trace_sink(self.out)
        except OSError:
            if self._launched is not None:
                self._launched.kill()
            raise
        if self._make_session is not None:
            session = self._session = self._make_session(self)
        else:
            session = self._session = AgentSession(self.options, self, self._launched)
        started = time.perf_counter()
        session.start()
        try:
            if not self._wake.wait(self.timeout):
                session.stop("timeout")
            elif self.cancelled is not None and not self._ended.is_set():
                session.stop(self.cancelled)
            self._ended.wait()
        finally:
            session.kill()
            try:
                self._writer.close()
            except OSError as error:
                self.write_error = self.write_error or (
                    f"cannot write the trace to {self.out}: {error.strerror}"
                )
        self.wall = time.perf_counter() - started
        return self.end

    # -- the session's listener ----------------------------------------------------------

    def records(self, records: bytes, extras: list) -> None:
        writer, session = self._writer, self._session
        assert writer is not None and session is not None
        if self.write_error is None:
            try:
                writer.begin({"t0": session.builder.t0, "script": self.options.script})
                writer.write_records(records, extras)
            except OSError as error:  # disk full: the run ends, the reason said
                self.write_error = f"cannot write the trace to {self.out}: {error.strerror}"
                self.cancel("error")
        codes = kinds(records)
        self.counts.update(count_kinds(codes))
        if SPAWN in codes:
            self.task_kinds.update(e[4] for e in extras if e[0] == SPAWN)
        if OUTPUT in codes and self.echo is not None:
            for raw in extras:
                if raw[0] == OUTPUT:
                    event = event_dict(raw, 0, 0.0, {})
                    write_exactly(event, sys.stderr if raw[3] == "stderr" else self.echo)

    def events(self, events: list[dict[str, Any]]) -> None:
        """Never called: ``records`` takes every batch."""

    def state(self, state: str, info: dict[str, Any]) -> None:
        """Free-run mode never pauses."""

    def reply(self, reply: Reply) -> None:
        """No commands are sent but stop, which has no reply."""

    def toplevel(self, status: dict[str, Any]) -> None:
        """Only sent to agents that stay."""

    def ended(self, end: dict[str, Any]) -> None:
        self.end = end
        self._ended.set()
        self._wake.set()

    def cancel(self, reason: str = "interrupted") -> None:
        """Stop the run now (safe from a signal handler: it only sets a flag)."""
        self.cancelled = reason
        self._wake.set()

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
