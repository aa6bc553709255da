"""Program time: the agent's clock less the time the program spent stopped.

A user reading a stop for a minute must not see a minute of "blocking", nor a minute in the
program's elapsed time. The gate marks each stop and each resume here; the blocking detector
pushes the start of the current stretch past every stop, and the controller reads the same
marks from the state messages (their ``t``) to keep event times in program time.
"""

from __future__ import annotations

from time import perf_counter

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable


class ProgramClock:
    """Marks of stops and resumes on the main thread, read by the channel's thread."""

    def __init__(self, clock: Callable[[], float] = perf_counter) -> None:
        self.clock = clock
        self.stopped_at: float | None = None
        """When the current stop began; None while the program runs."""
        self.resumed_at = 0.0
        self.on_resume: list[Callable[[float, float], None]] = []
        """Watchers told ``(stopped_at, seconds stopped)`` at each resume."""

    @property
    def stopped(self) -> bool:
        return self.stopped_at is not None

    def stop(self) -> None:
        if self.stopped_at is None:
            self.stopped_at = self.clock()

    def go(self) -> None:
        now = self.resumed_at = self.clock()
        stopped_at, self.stopped_at = self.stopped_at, None
        if stopped_at is None:
            return
        for watch in self.on_resume:
            watch(stopped_at, now - stopped_at)
