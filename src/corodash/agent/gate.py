"""Step, pause and continue: whether the program may go on after an event.

Tracers check ``gate.hold`` after each event and call :meth:`Gate.event` when it is set. The
stop itself is taken at a safe point: the compiled callbacks raise the stop signal on their
way out (``_speedups.want_safe_stop``), and its handler runs on the main thread at the
interpreter's next check, outside every tracer callback. There Python tracing is on and the
generator that just yielded is suspended, so drive commands (next, send, switch...) run
traced like the program's own code. Without the compiled module the main thread waits inside
the callback instead, where nothing can be driven. Pauses nest: a drive command run at a stop
may itself stop, and resuming always resumes the innermost stop.
"""

from __future__ import annotations

from collections import deque

from corodash.agent.breakpoints import Break, Breakpoints
from corodash.agent.originals import allocate_lock, get_ident
from corodash.agent.program_clock import ProgramClock
from corodash.protocol import IDLE, PAUSED, RUNNING, STATE, SWITCH

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import FrameType
    from typing import Any


class _Stop:
    """One pause point on the main thread's stack of waits."""

    __slots__ = ("can_drive", "job_running", "state", "waiting")

    def __init__(self, state: str, can_drive: bool) -> None:
        self.state = state
        self.can_drive = can_drive
        self.waiting = True
        self.job_running = False
        """A drive command is running user code from this pause point."""


class Gate:
    """The main thread's pause points, driven from the command thread."""

    __slots__ = ("__dict__", "hold")
    """``hold`` in a slot: the compiled callbacks read it there after every event."""

    def __init__(
        self,
        send: Callable[[tuple], None],
        describe: Callable[[FrameType | None], dict],
        clock: ProgramClock,
        last_event: Callable[[], tuple | None],
        hub_task: Callable[[], int | None],
        want_safe_stop: Callable[[], None] | None,
    ) -> None:
        """``want_safe_stop``: asks the compiled callbacks for a stop on their way out; None
        without them (the stop is then taken inside the callback)."""
        self.main_thread = get_ident()
        self.send = send
        self.describe = describe
        self.clock = clock
        self.last_event = last_event
        self.hub_task = hub_task
        self.want_safe_stop = want_safe_stop
        self.hold = False
        """Set while stepping or when a pause is asked for; tracers check it per event."""
        self.remaining = 0
        self.stop_pending = False
        """A stop was asked for and the main thread has not reached its safe point yet."""
        self.stop_task: int | None = None
        """The task of the event a step stopped after."""
        self.follow_hub = False
        """Steps count switches into gevent's hub too (by default they follow user tasks)."""
        self.on_stop_pending: Callable[[], None] = lambda: None
        self.breaks = Breakpoints()
        self.only_breaks = False
        """Continuing with breakpoints: an event stops the program only if it hits one."""
        self.hit: Break | None = None
        """The breakpoint the coming stop is for, said in its announcement."""
        self.released = False
        """In a forked child: nothing will ever resume it, so it never stops."""
        self._stops: list[_Stop] = []
        self._jobs: deque[tuple[Callable[[], None], bool]] = deque()
        self._wake = allocate_lock()
        self._wake.acquire()

    @property
    def stopped(self) -> bool:
        return bool(self._stops)

    @property
    def main_busy(self) -> bool:
        """The main thread runs user code: the program, or a drive command started at a
        pause point, or it has been told to go on and is leaving its pause point (a pause
        asked for then must not be lost: under load that can take the main thread long).
        Only then is there anything to pause."""
        stop = self._stops[-1] if self._stops else None
        return stop is None or stop.job_running or not stop.waiting

    @property
    def idle_now(self) -> bool:
        """Waiting after the top level ended, with no drive command running."""
        return bool(self._stops) and self._stops[-1].state == IDLE

    @property
    def can_drive(self) -> bool:
        """True when the main thread waits somewhere it may run user code."""
        return bool(self._stops) and self._stops[-1].can_drive

    # -- main thread ---------------------------------------------------------------------

    def event(self) -> None:
        """Called by a tracer after recording an event while ``hold`` is set. Only the main
        thread stops: other threads' events (``sys.monitoring`` sees them all) go by."""
        if get_ident() != self.main_thread or self.stop_pending or self.released:
            return
        last = self.last_event()
        if not self.follow_hub and last is not None and self._into_hub(last):
            return
        if self.only_breaks:
            hit = self.breaks.hit(last) if last is not None else None
            if hit is None:
                return
            self.hit = hit
        if self.remaining > 1:
            self.remaining -= 1
            return
        self._stop_after(last)

    def _stop_after(self, last: tuple | None) -> None:
        self.remaining = 0
        self.stop_task = last[2] if last is not None else None
        if self.want_safe_stop is None:
            self.wait(PAUSED, None, can_drive=False)
            return
        self.stop_pending = True
        self.want_safe_stop()
        self.on_stop_pending()

    def _into_hub(self, event: tuple) -> bool:
        return event[0] == SWITCH and event[2] == self.hub_task() is not None

    def safe_point(self, frame: FrameType | None) -> None:
        """The stop signal's handler: take the stop asked for, outside any callback."""
        if not self.stop_pending:
            return
        self.stop_pending = False
        self.wait(PAUSED, frame, can_drive=True)

    def wait(self, state: str, frame: FrameType | None, can_drive: bool) -> None:
        """Block the main thread until resumed, running queued jobs meanwhile."""
        if self.released:
            return
        stop = _Stop(state, can_drive)
        self._stops.append(stop)
        self.clock.stop()
        self._announce(state, frame)
        try:
            while stop.waiting and not self.released:
                self._wake.acquire()
                ran = False
                while self._jobs:
                    job, runs_user_code = self._jobs.popleft()
                    if runs_user_code:
                        ran = True
                        self._run_user_code(stop, job)
                    else:
                        job()
                if ran and stop.waiting:
                    self._announce(state, frame)
        finally:
            self._stops.pop()
        self.stop_task = None
        self._go()

    def _run_user_code(self, stop: _Stop, job: Callable[[], None]) -> None:
        """A drive command runs to its end in one go (no stepping inside it), in program
        time; a pause asked for meanwhile still stops it."""
        self.hold = False
        self.remaining = 0
        self._go()
        stop.job_running = True
        try:
            job()
        finally:
            stop.job_running = False
            self.clock.stop()

    def _announce(self, state: str, frame: FrameType | None) -> None:
        info = self.describe(frame)
        if self.hit is not None and state == PAUSED:
            info["break"] = self.hit.as_dict()
            self.hit = None
        if state == PAUSED and self.stop_task is not None:
            info["running"] = info.get("task")
            info["task"] = self.stop_task
        info["t"] = self.clock.stopped_at
        self.send((STATE, state, info))

    def _go(self) -> None:
        self.clock.go()
        self.send((STATE, RUNNING, {"t": self.clock.resumed_at}))

    def idle(self) -> None:
        """The program's top level is over: serve drive commands until the agent stops."""
        self.hold = False
        self.remaining = 0
        self.wait(IDLE, None, can_drive=True)

    def release_all(self) -> None:
        """In a forked child: let every stop go and take no more (no controller to
        resume them)."""
        self.released = True
        self.hold = False
        self.remaining = 0
        self.stop_pending = False
        self._wake_up()

    # -- command thread ------------------------------------------------------------------

    def step(self, count: int) -> None:
        self.hold = True
        self.only_breaks = False
        self.remaining = max(1, count)
        self._resume()

    def resume(self) -> None:
        """Continue: to the end, or to the first event that hits a breakpoint."""
        self.only_breaks = self.hold = self.breaks.on_events
        self.remaining = 0
        self.stop_pending = False
        self._resume()

    def break_at_line(self, found: Break, frame: FrameType) -> None:
        """A line breakpoint was reached (in a tracer callback, on the main thread): stop
        right there, before the line runs. Inside the callback nothing can be driven (code
        run there would record no events); step and continue go on from the line."""
        if get_ident() != self.main_thread or self.stop_pending or self.released:
            return
        self.hit = self.breaks.count(found)
        self.hold = False
        self.only_breaks = False
        self.remaining = 0
        self.stop_task = None
        self.wait(PAUSED, frame, can_drive=False)

    def request_pause(self) -> bool:
        """Stop at the next event; False (and nothing held) when the main thread already
        waits at a pause point with nothing running: a late pause must not stop the next
        drive command at its first event."""
        if not self.main_busy:
            return False
        self.hold = True
        self.only_breaks = False
        self.remaining = 0
        return True

    def interrupt(self) -> bool:
        """No event came after a pause was asked for: stop wherever the main thread is next
        checked (the caller then signals it). False when there is nothing to interrupt."""
        if not (self.hold and self.main_busy) or self.stop_pending:
            return False
        self.stop_task = None
        self.stop_pending = True
        return True

    def submit(self, job: Callable[[], Any], runs_user_code: bool = True) -> None:
        """Run ``job`` on the main thread at its current pause point; one that runs user
        code is announced as running, then the pause again."""
        self._jobs.append((job, runs_user_code))
        self._wake_up()

    def _resume(self) -> None:
        if self._stops and self._stops[-1].state != IDLE:
            self._stops[-1].waiting = False
        self._wake_up()

    def _wake_up(self) -> None:
        if self._wake.locked():
            self._wake.release()
