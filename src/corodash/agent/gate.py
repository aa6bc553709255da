"""Step, pause and continue: whether the program may go on after an event.

Tracers check ``gate.hold`` after each event and call :meth:`Gate.event` when it is set;
the main thread then waits here until the controller says step or continue. While it waits,
drive commands (next, send, switch...) run on it, but only where running user code is safe:
not inside a tracer callback, where Python tracing is off and greenlets must not switch.
Pauses nest: a drive command run at a pause point may itself stop at a step, and resuming
always resumes the innermost pause.
"""

from __future__ import annotations

from _thread import allocate_lock, get_ident
from collections import deque
from collections.abc import Callable
from types import FrameType
from typing import Any

from corodash.protocol import IDLE, PAUSED, RUNNING, STATE


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

    def __init__(
        self, send: Callable[[tuple], None], describe: Callable[[FrameType | None], dict]
    ) -> None:
        self.main_thread = get_ident()
        self.send = send
        self.describe = describe
        self.hold = False
        """Set while stepping or when a pause is asked for; tracers check it per event."""
        self.remaining = 0
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
        pause point. Only then is there anything to pause."""
        return not self._stops or self._stops[-1].job_running

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
        if get_ident() != self.main_thread:
            return
        if self.remaining > 1:
            self.remaining -= 1
            return
        self.remaining = 0
        self.wait(PAUSED, None, can_drive=False)

    def wait(self, state: str, frame: FrameType | None, can_drive: bool) -> None:
        """Block the main thread until resumed, running queued jobs meanwhile."""
        stop = _Stop(state, can_drive)
        self._stops.append(stop)
        self.send((STATE, state, self.describe(frame)))
        try:
            while stop.waiting:
                self._wake.acquire()
                ran = False
                while self._jobs:
                    job, runs_user_code = self._jobs.popleft()
                    if runs_user_code:
                        ran = True
                        self.send((STATE, RUNNING, {}))
                    stop.job_running = True
                    try:
                        job()
                    finally:
                        stop.job_running = False
                if ran and stop.waiting:
                    self.send((STATE, state, self.describe(frame)))
        finally:
            self._stops.pop()
        self.send((STATE, RUNNING, {}))

    def idle(self) -> None:
        """The program's top level is over: serve drive commands until the agent stops."""
        self.hold = False
        self.remaining = 0
        self.wait(IDLE, None, can_drive=True)

    # -- command thread ------------------------------------------------------------------

    def step(self, count: int) -> None:
        self.hold = True
        self.remaining = max(1, count)
        self._resume()

    def resume(self) -> None:
        self.hold = False
        self.remaining = 0
        self._resume()

    def request_pause(self) -> bool:
        """Stop at the next event; False (and nothing held) when the main thread already
        waits at a pause point with nothing running: a late pause must not stop the next
        drive command at its first event."""
        if not self.main_busy:
            return False
        self.hold = True
        self.remaining = 0
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
