"""One client attached to a listening process: its tracers in, its events out, then out again
leaving the process as it was.

greenlet's tracer belongs to one thread, so it is installed (and removed) on the thread that
called ``listen``, by a callback gevent's hub runs there; the client's socket is read and
written by real OS threads. On attach every live greenlet of that thread is announced (with
``tasks`` and ``where`` to list them and their stacks) and switches, ``block`` events and
(3.12+) generator events flow as for a traced script. Detaching (``detach``, or the client
going away) restores the greenlet tracer that was there before, gives back the monitoring
tool id, and ends the attachment's threads; the listener stays.
"""

from __future__ import annotations

import _socket
import contextlib
import gc
import os
import sys
from time import perf_counter

from corodash.agent.blocking import DEFAULT_THRESHOLD, BlockDetector
from corodash.agent.channel import Channel, CommandReader
from corodash.agent.discovery import discover
from corodash.agent.gate import Gate
from corodash.agent.inspection import Inspector
from corodash.agent.originals import allocate_lock, close, start_new_thread
from corodash.agent.program_clock import ProgramClock
from corodash.agent.recording import Recording
from corodash.agent.registry import GREENLET, Registry, make_task
from corodash.agent.resume_cause import ResumeCause
from corodash.agent.tracer_greenlet import GreenletTracer
from corodash.agent.usercode import CodeFilter
from corodash.protocol import MAIN_TASK, REPLY, RUNNING, STATE, Command, hello

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

INSTALL_TIMEOUT = 10.0
"""Seconds the hub gets to run the install callback (a blocked hub runs nothing)."""


class Attachment:
    def __init__(self, conn: Any, hub: Any, thread: int, on_end: Callable[[], None]) -> None:
        self.conn = conn
        self.hub = hub
        self.thread = thread
        self.on_end = on_end
        self.t0 = perf_counter()
        self.channel = Channel(os.dup(conn.fileno()), on_lost=self._client_gone)
        self.reader = CommandReader(os.dup(conn.fileno()), self.handle, on_closed=self._closed)
        self.code_filter = CodeFilter()
        append = self.channel.buffer.append
        self.registry = Registry(append, perf_counter, self.code_filter)
        self.inspector = Inspector(self.registry, self.code_filter, thread, {})
        clock = ProgramClock()
        self.gate = Gate(
            self.channel.send,
            self.inspector.position,
            clock,
            self.channel.last_event,
            lambda: self.registry.hub_tid,
            None,  # a stop is taken in the tracer callback, at a switch
        )
        self.gate.main_thread = thread
        rec = Recording(
            self.registry, append, perf_counter, self.gate, self.code_filter, ResumeCause()
        )
        self.greenlets = GreenletTracer(rec)
        self.generators = _generator_tracer(rec)
        self.blocks = BlockDetector(
            self.registry, self.code_filter, thread, DEFAULT_THRESHOLD, clock
        )
        self._ended = False
        self._lock = allocate_lock()

    def start(self) -> None:
        if self.hub is None:  # said instead of hello: the client says why it cannot attach
            self.channel.send(
                ("busy", "the process runs no gevent hub in the thread that called listen()")
            )
            self.detach()
            return
        self.channel.send(hello(self.t0, "attached", attached=True))
        self.channel.on_batch.append(self.blocks.see)
        self.channel.on_tick.append(self.blocks.tick)
        self.channel.start()
        if not self._on_hub_thread(self._install):
            self.channel.send(("busy", "gevent's hub did not run for 10 s: it is blocked"))
            self.detach()
            return
        self.channel.send((STATE, RUNNING, {}))
        self.reader.start()  # commands once every live greenlet is known

    def _on_hub_thread(self, work: Callable[[], None]) -> bool:
        """Run ``work`` on the traced thread, from its hub; False if it did not come."""
        done = allocate_lock()
        done.acquire()

        def run() -> None:
            try:
                work()
            finally:
                done.release()

        self.hub.loop.run_callback_threadsafe(run)
        return done.acquire(True, INSTALL_TIMEOUT)

    def _install(self) -> None:
        import gevent
        import greenlet
        from gevent.hub import Hub

        registry = self.registry
        registry.greenlet_module = greenlet
        registry.gevent_greenlet_type = gevent.Greenlet
        registry.hub_type = Hub
        root = _root(greenlet.getcurrent())
        registry.tasks[MAIN_TASK] = make_task(root, None, MAIN_TASK, "main", GREENLET, None)
        registry.alias(root, MAIN_TASK)
        live = [o for o in gc.get_objects() if isinstance(o, greenlet.greenlet)]
        discover(registry, [g for g in live if not g.dead and g is not root and _root(g) is root])
        self.greenlets.attach(greenlet)
        if self.generators is not None:
            self.generators.install()

    def _uninstall(self) -> None:
        self.greenlets.uninstall()
        if self.generators is not None:
            self.generators.uninstall()

    def detach(self) -> None:
        """Restore the tracer that was there, end this attachment's threads (idempotent)."""
        with self._lock:
            if self._ended:
                return
            self._ended = True
        self.gate.release_all()  # a paused service goes on
        if self.greenlets.module is not None:
            self._on_hub_thread(self._uninstall)
        fd = self.channel.fd
        self.channel.stop()
        if fd >= 0:
            with contextlib.suppress(OSError):
                close(fd)
        with contextlib.suppress(OSError):
            self.conn.shutdown(_socket.SHUT_RDWR)  # the command thread reads its end, and ends
        with contextlib.suppress(OSError):
            self.conn.close()
        self.on_end()

    def _client_gone(self) -> None:
        """A write failed, on the channel's thread (which holds its lock): detach elsewhere."""
        start_new_thread(self.detach, ())

    def _closed(self) -> None:
        """The client closed its end, on the command thread, which then ends."""
        with contextlib.suppress(OSError):
            close(self.reader.fd)
        self.detach()

    # -- commands ------------------------------------------------------------------------

    def handle(self, command: Command) -> None:
        name, args = command.name, command.args
        try:
            if name == "tasks":
                data: dict[str, Any] = {"tasks": self.inspector.tasks()}
            elif name == "where":
                task = self.registry.tasks.get(int(args[0])) if args else None
                if task is None:
                    raise ValueError(f"no task with id {args[0] if args else '?'}")
                data = self.inspector.where(task)
            elif name in ("pause", "step", "continue"):
                data = self._run_control(name)
            elif name == "detach":
                self.channel.send((REPLY, command.id, True, {}, ""))
                self.detach()
                return
            else:
                raise ValueError(
                    f"{name} is not available attached: a running service is watched, paused "
                    "and stepped, never driven"
                )
        except Exception as error:
            self.channel.send((REPLY, command.id, False, {}, f"{error}"))
        else:
            self.channel.send((REPLY, command.id, True, data, ""))
            if name == "step":  # answered first: the stop comes after the answer
                self.gate.step(int(args[0]) if args else 1)
            elif name == "continue":
                self.gate.resume()

    def _run_control(self, name: str) -> dict[str, Any]:
        """Pausing stops the whole service at its next switch (the controller warns first);
        step and continue let it go on."""
        gate = self.gate
        if name == "pause":
            if not gate.request_pause():
                raise ValueError("the service is paused already")
            return {"warning": "the service serves nothing while paused: continue resumes it"}
        if not gate.stopped:
            raise ValueError(f"the service is running: {name} applies once it is paused")
        return {}


def _generator_tracer(rec: Recording) -> Any:
    """Generators are traced attached where ``sys.monitoring`` does it (3.12+): one tool id,
    taken on attach and given back on detach. 3.11's ``sys.settrace`` would slow every call
    of the service five times over, so generators are not traced attached there."""
    if sys.version_info < (3, 12):
        return None
    from corodash.agent.tracer_monitoring import MonitoringTracer

    return MonitoringTracer(rec)


def _root(glet: Any) -> Any:
    """The thread's main greenlet, which ``glet`` descends from."""
    while glet.parent is not None:
        glet = glet.parent
    return glet
