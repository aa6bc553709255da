"""The agent itself: set up tracing, run the user's script as ``__main__``, answer commands.

Started by the controller as ``python -m corodash.agent CONFIG``. Events go out on one pipe,
commands come in on another. The program's stdout and stderr, from Python and below it,
become OUTPUT events on the same pipe (output.py, fd_capture.py); its stdin stays where it is.
"""

from __future__ import annotations

import atexit
import faulthandler
import gc
import os
import sys
import types
from _thread import allocate_lock, get_ident
from os import _exit  # the real one: os._exit is wrapped for the program (forking.py)
from time import perf_counter

from corodash.agent import values
from corodash.agent.accelerator import speedups
from corodash.agent.agent_commands import AgentCommands
from corodash.agent.blocking import BlockDetector
from corodash.agent.channel import Channel, CommandReader
from corodash.agent.config import AgentConfig
from corodash.agent.discovery import discover_everywhere
from corodash.agent.drive import Driver
from corodash.agent.fd_capture import FdCapture
from corodash.agent.forking import ForkWatch
from corodash.agent.gate import Gate
from corodash.agent.gevent_spawns import announce_spawns
from corodash.agent.import_hooks import PostImportHooks
from corodash.agent.inspection import Inspector
from corodash.agent.lazy_tracing import install_when_needed
from corodash.agent.line_breaks import LineBreaks
from corodash.agent.locals_recording import LocalsRecorder
from corodash.agent.output import capture
from corodash.agent.patching import PatchPolicy
from corodash.agent.program_clock import ProgramClock
from corodash.agent.program_end import cannot_start, end_event, program_status, run_to_end
from corodash.agent.program_start import program_code
from corodash.agent.recording import Recording
from corodash.agent.registry import Registry
from corodash.agent.resume_cause import ResumeCause
from corodash.agent.stdin_watch import AnnouncedStdin
from corodash.agent.stop_signal import StopSignal
from corodash.agent.tracer_failure import TracerFailureWatch
from corodash.agent.tracer_greenlet import GreenletTracer
from corodash.agent.usercode import CodeFilter
from corodash.protocol import MAIN_TASK, RAISE, RUNNING, STATE, TOPLEVEL, hello

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import CodeType
    from typing import Any


class Agent(AgentCommands):
    def __init__(self, config: AgentConfig) -> None:
        self.config = config
        self.t0 = perf_counter()
        self.main_thread = get_ident()
        self.channel = Channel(config.events_fd)
        append = self.channel.buffer.append
        self.append = append
        self.code_filter = CodeFilter(config.include_libraries)
        self.registry = Registry(append, perf_counter, self.code_filter)
        self.namespace: dict[str, Any] = {}
        self.inspector = Inspector(
            self.registry, self.code_filter, self.main_thread, self.namespace
        )
        self.program_clock = ProgramClock()
        self.gate = Gate(
            self.channel.send,
            self.inspector.position,
            self.program_clock,
            self.channel.last_event,
            lambda: self.registry.hub_tid,
            speedups.want_safe_stop if speedups is not None else None,
        )
        self.gate.on_stop_pending = self._interrupt_soon
        self.cause = ResumeCause()
        self.lines = LineBreaks(self.gate, self.main_thread)
        rec = Recording(
            self.registry,
            LocalsRecorder(append, self.registry, self.code_filter).append
            if config.record_locals
            else append,
            perf_counter,
            self.gate,
            self.code_filter,
            self.cause,
            self.lines.codes,
            self.lines.wrap_frame,
            compiled=not config.record_locals,
        )
        self.tracer = _generator_tracer(rec)
        self.blocks = BlockDetector(
            self.registry,
            self.code_filter,
            self.main_thread,
            config.block_threshold,
            self.program_clock,
        )
        self.greenlets = GreenletTracer(rec)
        self.driver = Driver(self.registry, self.cause, self.namespace, append, perf_counter)
        self.patches = PatchPolicy(config.patch, append, perf_counter, self._current_task)
        self.hooks = PostImportHooks()
        self._interrupts = 0
        self._finishing = allocate_lock()
        self._finished = False

    # -- start-up ------------------------------------------------------------------------

    def run(self) -> None:
        # Small on purpose, like run_to_end: these frames sit under every frame of the program,
        # and gevent reads the line of each on every spawn (its spawning stack); a frame's
        # line costs a scan of its code up to where it stands (5.8 against 0.7 us a spawn).
        self._start()
        prepared = self._prepare_program()
        # a program that could not start has its status already
        status = prepared if isinstance(prepared, dict) else run_to_end(*prepared, self._raised)
        if self.forks.in_child:
            self.forks.leave_child(status)
        self._top_level_done(status)

    def _start(self) -> None:
        self.channel.send(hello(self.t0, self.config.patch))
        self.channel.start()
        for fd in (self.config.events_fd, self.config.commands_fd):
            os.set_inheritable(fd, False)  # a program that execs must not hold the pipes open
        values.watchdog = values.ReprWatchdog(self.main_thread)
        self.channel.on_tick.append(values.watchdog.check)
        self.failures = TracerFailureWatch(self.append, perf_counter)
        self.channel.on_tick.append(self.failures.tick)
        if self.config.block_threshold > 0:
            self.channel.on_batch.append(self.blocks.see)
            self.channel.on_batch.append(self._break_on_block)
            self.channel.on_tick.append(self.blocks.tick)
        # Takes a stop at a safe point: raised by the compiled callbacks on their way out
        # after a step, and sent from another thread when no safe point comes soon (a loop
        # without events, a blocking call).
        self.stop_signal = StopSignal(
            self._stop_signal, speedups.set_stop_signal if speedups else lambda number: None
        )
        self.stop_signal.install(self.hooks.when_imported)
        CommandReader(self.config.commands_fd, self.handle).start()
        self.fds = FdCapture(self.append, perf_counter)
        self.fds.start()
        # A crash's report goes where the controller reads, which outlives the agent; the
        # crashing thread only, as plain Python's faulthandler shows (not the agent's).
        faulthandler.enable(self.fds.real[2], all_threads=False)
        self.streams = capture(self.append, perf_counter, self._current_task, self.fds.drain)
        self.forks = ForkWatch(self.fds, self.streams, self._in_forked_child, self._os_exit)
        self.forks.install()
        if self.config.stay:
            sys.stdin = AnnouncedStdin(sys.stdin, self._reading)
        self.hooks.when_imported("greenlet", self.greenlets.install)
        self.hooks.when_imported("gevent", self._gevent_imported)
        self.hooks.install()

    def _reading(self) -> None:
        """The program is about to wait for a line on stdin: the controller shows it."""
        for stream in self.streams:
            stream.flush()  # input()'s prompt has no newline
        self.channel.send((STATE, RUNNING, {"reading": True}))

    # -- forks and os._exit --------------------------------------------------------------

    def _in_forked_child(self) -> None:
        """The child of a fork: the program's, not an agent (no events, commands or end)."""
        self.channel.silence()
        for fd in (self.config.events_fd, self.config.commands_fd, *self.fds.real.values()):
            try:  # the controller sees the agent's end, not ours  # noqa: SIM105
                os.close(fd)
            except OSError:
                pass
        self.tracer.uninstall()
        self.greenlets.uninstall()
        self.config.step = False
        self.gate.release_all()

    def _os_exit(self, code: int) -> None:
        """The program called os._exit: record all it wrote, then end the run with its code."""
        self.finish(program_status("exit", code), exit_handlers=False)

    def _gevent_imported(self, gevent: Any) -> None:
        from gevent.hub import Hub

        self.registry.gevent_greenlet_type = gevent.Greenlet
        self.registry.hub_type = Hub
        self.patches.gevent_imported(gevent)
        announce_spawns(gevent, self.registry)

    def _current_task(self) -> int:
        return self.registry.task_of_frame_stack(sys._getframe(1))

    # -- running the program -------------------------------------------------------------

    def _prepare_program(self) -> tuple[CodeType, dict[str, Any]] | dict[str, Any]:
        """The script's code and namespace, ready to run; or the status of one that cannot
        start."""
        config = self.config
        script = os.path.abspath(config.script)
        module = types.ModuleType("__main__")
        module.__file__ = script
        module.__builtins__ = __builtins__  # type: ignore[attr-defined]
        sys.modules["__main__"] = module
        self.namespace = self.inspector.namespace = self.driver.namespace = module.__dict__
        self.registry.namespace = self.namespace
        sys.argv = [script, *config.argv]
        try:
            code = program_code(script, config.module, module)
            self.lines.program_code = code
        except (OSError, SyntaxError, ValueError, ImportError) as error:
            return cannot_start(error)
        try:
            self.patches.apply_before_script()
        except Exception as error:
            import traceback  # only when something went wrong

            return program_status("error", 1, f"patch_all failed: {error}", traceback.format_exc())
        gc.freeze()  # corodash's own start-up objects: no collection need scan them again
        _make_room_for_events()
        self.script_started = perf_counter()
        install_when_needed(self.tracer, code, self.code_filter, self.main_thread)
        if config.step:
            self.gate.request_pause()
        else:
            self.channel.send((STATE, RUNNING, {}))
        return code, module.__dict__

    def _raised(self, text: str) -> None:
        self.append((RAISE, perf_counter(), MAIN_TASK, text))

    def _top_level_done(self, status: dict[str, Any]) -> None:
        for stream in self.streams:
            stream.flush()
        try:  # noqa: SIM105
            discover_everywhere(self.registry, self.inspector.namespace)
        except Exception:  # what is found at the end must not stop the end
            pass
        self.inspector.program_done = True
        self.channel.flush()  # the switches not yet sent may end a blocking stretch
        self.blocks.close(perf_counter(), self.append)
        self.top_level_status = status
        if self.config.stay:
            self.channel.send((TOPLEVEL, status))
            self.gate.idle()
        self.finish(status)

    def finish(self, status: dict[str, Any], exit_handlers: bool = True) -> None:
        """Send the END event and leave without running anything more. Only the first call
        counts (a stop may race the program's own end). A stop, which comes from the command
        thread while the program runs, skips the program's exit handlers."""
        with self._finishing:
            if self._finished:
                return
            self._finished = True
        if exit_handlers:
            try:  # noqa: SIM105
                atexit._run_exitfuncs()
            except BaseException:  # the program's handlers: the end goes on
                pass
        for stream in self.streams:
            stream.flush()
        self.fds.finish()
        self.channel.flush()  # the switches not yet sent may end a blocking stretch
        now = perf_counter()
        wall = round(now - self.t0, 6)
        if get_ident() != self.main_thread:
            self.blocks.tick(now)  # stopped from outside: look at the main thread once more
        self.blocks.close(now, self.append)  # a greenlet still blocking when the run ends
        self.failures.tick(now)
        started = getattr(self, "script_started", self.t0) - self.t0
        self.append(end_event(status, now, started, wall))
        self.channel.flush()
        _exit(0)


def _generator_tracer(rec: Recording) -> Any:
    if sys.version_info >= (3, 12):
        from corodash.agent.tracer_monitoring import MonitoringTracer

        return MonitoringTracer(rec)
    from corodash.agent.tracer_settrace import SettraceTracer

    return SettraceTracer(rec)


EVENT_ALLOCATION_ALLOWANCE = 10
"""How many times Python's young-generation threshold the traced program gets."""


def _make_room_for_events() -> None:
    """Every event the tracers record is a tuple the garbage collector counts: untouched,
    a traced program would run its young collections several times as often as untraced
    (7% of the time of 10,000 gevent greenlets). The program's own thresholds scale up to
    leave it about the collection schedule it has alone; one it sets itself still wins."""
    young, *older = gc.get_threshold()
    gc.set_threshold(young * EVENT_ALLOCATION_ALLOWANCE, *older)
