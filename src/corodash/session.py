"""The controller's side of one run: start the agent, read its events, send it commands.

Knows nothing of the UI. A listener receives numbered trace events, state changes, replies
and the end of the run, on the session's reader thread; the dashboard posts them as messages,
the headless commands put them on a queue. A listener that only stores events (``corodash
trace``) has a ``records`` method instead and gets the agent's batches undecoded
(records.py): the events a flood brings then cost no Python object here.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol

from corodash.agent_launch import Launched, RunOptions, launch
from corodash.agent_process import AgentProcess
from corodash.protocol import (
    END,
    EVENTS,
    HELLO,
    OUTPUT,
    PROTOCOL_VERSION,
    REPLY,
    RUNNING,
    STATE,
    TOPLEVEL,
    Command,
    FrameReader,
    expand_batch,
)
from corodash.records import KIND_OFFSET, SIZE, decode, tuple_record
from corodash.trace_format import TraceBuilder

READ_SIZE = 1 << 20
STOP_GRACE = 1.0


@dataclass(frozen=True)
class Reply:
    id: int
    ok: bool
    data: dict[str, Any]
    error: str
    seq: int = 0
    """The agent's message number: a state numbered after it happened after the answer."""


class Listener(Protocol):
    # one of the two: def events(self, events: list[dict[str, Any]]) -> None
    #                 def records(self, records: bytes, tuples: list) -> None
    def state(self, state: str, info: dict[str, Any]) -> None: ...
    def reply(self, reply: Reply) -> None: ...
    def toplevel(self, status: dict[str, Any]) -> None: ...
    def ended(self, end: dict[str, Any]) -> None: ...


class QueueListener:
    """Puts everything on one queue as (what, payload) pairs, in arrival order."""

    def __init__(self) -> None:
        self.queue: queue.Queue[tuple[str, Any]] = queue.Queue()

    def events(self, events: list[dict[str, Any]]) -> None:
        self.queue.put(("events", events))

    def state(self, state: str, info: dict[str, Any]) -> None:
        self.queue.put(("state", (state, info)))

    def reply(self, reply: Reply) -> None:
        self.queue.put(("reply", reply))

    def toplevel(self, status: dict[str, Any]) -> None:
        self.queue.put(("toplevel", status))

    def ended(self, end: dict[str, Any]) -> None:
        self.queue.put(("ended", end))


class HandoverListener:
    """Keeps what a session says until its real listener takes over.

    The dashboard starts the agent before it loads Textual, so that both boot at once;
    the screen's listener (one that takes records) then receives everything said so far,
    in order, and the rest.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._said: list[tuple[str, tuple[Any, ...]]] = []
        self._target: Listener | None = None

    def hand_over(self, target: Listener) -> None:
        with self._lock:
            for name, args in self._said:
                getattr(target, name)(*args)
            self._said.clear()
            self._target = target

    def _say(self, name: str, *args: Any) -> None:
        with self._lock:
            if self._target is None:
                self._said.append((name, args))
                return
            getattr(self._target, name)(*args)

    def records(self, records: bytes, extras: list) -> None:
        self._say("records", records, extras)

    def state(self, state: str, info: dict[str, Any]) -> None:
        self._say("state", state, info)

    def reply(self, reply: Reply) -> None:
        self._say("reply", reply)

    def toplevel(self, status: dict[str, Any]) -> None:
        self._say("toplevel", status)

    def ended(self, end: dict[str, Any]) -> None:
        self._say("ended", end)


class AgentSession:
    """One agent process and the pipes to it."""

    def __init__(
        self, options: RunOptions, listener: Listener, launched: Launched | None = None
    ) -> None:
        """``launched``: the agent, when the caller started it early (agent_launch.py)."""
        self.options = options
        self._launched = launched
        self.listener = listener
        self._records = getattr(listener, "records", None)
        self.builder = TraceBuilder()
        self.process: AgentProcess | None = None
        self.pid: int | None = None
        self.end: dict[str, Any] | None = None
        self._end_sent: list[Any] | None = None
        """The agent's own END, held until its output has all arrived."""
        self._stop_reason: str | None = None
        self._protocol_error: str | None = None
        self._agent_t0: float | None = None
        self._next_id = 0
        self._commands_fd = -1
        self._lock = threading.Lock()
        self._numbering = threading.Lock()  # one seq order across the event and output pipes
        self._ended = threading.Event()
        self._output_threads: list[threading.Thread] = []
        self._stopped_at: float | None = None
        """Agent clock at the current stop; event times leave out time spent stopped."""

    # -- life cycle ----------------------------------------------------------------------

    def start(self) -> None:
        launched = self._launched or launch(self.options)
        self.process = launched.process
        self.pid = self.process.pid
        self._commands_fd = launched.commands_fd
        events_read = launched.events_fd
        for stream, pipe in (("stdout", self.process.stdout), ("stderr", self.process.stderr)):
            thread = threading.Thread(
                target=self._read_output,
                args=(stream, pipe),
                name=f"corodash-{stream}",
                daemon=True,
            )
            thread.start()
            self._output_threads.append(thread)
        threading.Thread(
            target=self._read_events, args=(events_read,), name="corodash-events", daemon=True
        ).start()

    def send(self, name: str, *args: Any) -> int:
        """Send a command; its Reply comes to the listener. Returns the command id."""
        with self._lock:
            self._next_id += 1
            ident = self._next_id
            if self._ended.is_set() or self._commands_fd < 0:
                raise ConnectionError("the program has ended")
            try:
                os.write(self._commands_fd, Command(ident, name, list(args)).encode())
            except OSError as error:
                raise ConnectionError("the agent is gone") from error
        return ident

    def send_input(self, text: str) -> None:
        """One line for the program's stdin (its ``input()``); ConnectionError when it has
        ended or closed its stdin."""
        stdin = self.process.stdin if self.process is not None else None
        if stdin is None or self._ended.is_set():
            raise ConnectionError("the program has ended")
        try:
            stdin.write(text.encode("utf-8", "surrogateescape") + b"\n")
            stdin.flush()
        except (OSError, ValueError) as error:
            raise ConnectionError("the program no longer reads its input") from error

    def stop(self, reason: str = "stopped") -> None:
        """Ask the agent to end now (it flushes every event first); kill it if it won't."""
        if self._ended.is_set():
            return
        self._stop_reason = reason
        with contextlib.suppress(ConnectionError):
            self.send("stop")
        if not self._ended.wait(STOP_GRACE):
            self.kill(reason)

    def kill(self, reason: str = "killed") -> None:
        self._stop_reason = self._stop_reason or reason
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)

    def wait(self, timeout: float | None = None) -> bool:
        return self._ended.wait(timeout)

    @property
    def ended(self) -> bool:
        return self._ended.is_set()

    # -- reader threads ------------------------------------------------------------------

    def _read_events(self, fd: int) -> None:
        reader = FrameReader()
        listener = self.listener
        try:
            while True:
                data = os.read(fd, READ_SIZE)
                if not data:
                    break
                for message in reader.feed(data):
                    self._dispatch(message, listener)
        finally:
            os.close(fd)
            self._finish()

    def _dispatch(self, message: list[Any], listener: Listener) -> None:
        tag = message[0]
        if tag == EVENTS:
            records, extras = message[1], message[2]
            with self._numbering:
                if records and records[-SIZE + KIND_OFFSET] == END:
                    # held back until the agent's descriptors are read to their end: the
                    # end is always the trace's last event
                    self._end_sent = extras.pop()
                    records = records[:-SIZE]
                if records:
                    self._deliver(records, extras)
        elif tag == STATE:
            state, info = message[1], message[2]
            info["seq"] = message[3]
            self._keep_program_time(state, info.get("t"))
            listener.state(state, info)
        elif tag == REPLY:
            listener.reply(Reply(message[1], message[2], message[3], message[4], message[5]))
        elif tag == TOPLEVEL:
            listener.toplevel(message[1])
        elif tag == HELLO:
            self._hello(message[1])

    def _deliver(self, records: bytes, extras: list) -> None:
        """Events to the listener, numbered: undecoded to one that takes records."""
        if self._records is not None:
            self._records(records, extras)
            self.builder.seq += len(records) // SIZE
        else:
            self.listener.events(self.builder.expand(decode(records, extras)))

    def _deliver_tuple(self, event: list) -> None:
        self._deliver(tuple_record(event), [event])

    def _hello(self, hello: dict[str, Any]) -> None:
        self.builder.t0 = self._agent_t0 = hello["t0"]
        if hello.get("version") != PROTOCOL_VERSION:
            self._stop_reason = "error"
            self.kill("error")
            self._protocol_error = (
                f"the agent speaks protocol version {hello.get('version')}, this corodash "
                f"{PROTOCOL_VERSION}: run both from one installation"
            )

    def _keep_program_time(self, state: str, t: float | None) -> None:
        """Program time: every stop's length comes off the times of the events after it."""
        if t is None:
            return
        with self._numbering:
            if state == RUNNING:
                if self._stopped_at is not None:
                    self.builder.t0 += t - self._stopped_at
                self._stopped_at = None
            else:
                self._stopped_at = t

    def program_time(self) -> float:
        """Seconds the program has run so far, stops left out."""
        now = self._stopped_at if self._stopped_at is not None else time.perf_counter()
        return max(0.0, now - self.builder.t0)

    def _read_output(self, stream: str, pipe: Any) -> None:
        for raw in iter(pipe.readline, b""):
            text = raw.decode("utf-8", "replace").rstrip("\n")
            # perf_counter is the agent's clock too (CLOCK_MONOTONIC, shared by processes).
            with self._numbering:
                self._deliver_tuple([OUTPUT, time.perf_counter(), None, stream, text])
        pipe.close()

    def _finish(self) -> None:
        try:
            self._report_end()
        finally:
            self._ended.set()  # whatever happened, nobody waits forever
        self.listener.ended(self.end or {})

    def _report_end(self) -> None:
        process = self.process
        assert process is not None
        code = process.wait()
        with contextlib.suppress(OSError):  # what the program forked must not outlive it
            os.killpg(process.pid, signal.SIGKILL)
        for thread in self._output_threads:
            thread.join(timeout=2)
        with self._lock:
            os.close(self._commands_fd)
            self._commands_fd = -1
        with self._numbering:
            end = self._end_sent
            if end is None:
                end = synthesised_end(code, self._stop_reason, self._protocol_error, self._agent_t0)
            elif self._stop_reason and end[3] == "stopped":
                end = (*end[:3], self._stop_reason, *end[4:])
            self._deliver_end(end)

    def _deliver_end(self, end: tuple | list) -> None:
        """The run's END, kept as ``end`` and delivered as its last event (numbering held)."""
        builder = self.builder
        self.end = expand_batch([end], builder.seq, builder.t0, builder.names)[0]
        self._deliver_tuple(end)


def end_event(agent_t0: float | None, status: str, code: int | None, error: str | None) -> list:
    """An END said by the controller, timed now (``agent_t0``: the agent's start, if known)."""
    now = time.perf_counter()
    wall = round(now - agent_t0, 6) if agent_t0 is not None else None
    return [END, now, 0, status, code, error, "", None, wall]


def synthesised_end(
    code: int, stop_reason: str | None, protocol_error: str | None, agent_t0: float | None
) -> list:
    """The END of an agent that died without saying so (killed, crashed, os._exit)."""
    if code < 0:
        try:
            signame = signal.Signals(-code).name
        except ValueError:  # real-time signals have no name
            signame = f"signal {-code}"
        status = stop_reason or "killed"
        error = f"the program was killed by {signame}"
    else:
        status, error = "exit", None
    if protocol_error:
        status, error = "error", protocol_error
    return end_event(agent_t0, status, code, error)
