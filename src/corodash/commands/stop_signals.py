"""Ctrl-C, SIGTERM and SIGHUP on ``trace`` and ``compare``: stop the agent, keep the trace.

While a run goes on, each of those signals only asks it to stop (the run then ends with
status ``interrupted``, the summary is printed and temporary files are removed); the command
then exits as a process killed by that signal would report it, 128 + its number.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Callable, Iterator
from types import FrameType

STOPPING_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class SignalSeen:
    signum: int | None = None

    @property
    def exit_status(self) -> int | None:
        return 128 + self.signum if self.signum is not None else None


@contextlib.contextmanager
def stop_on_signals(stop: Callable[[], None]) -> Iterator[SignalSeen]:
    """Call ``stop`` on the first of STOPPING_SIGNALS; restore the handlers afterwards."""
    seen = SignalSeen()

    def handler(signum: int, frame: FrameType | None) -> None:
        if seen.signum is None:
            seen.signum = signum
            stop()

    previous = {signum: signal.signal(signum, handler) for signum in STOPPING_SIGNALS}
    try:
        yield seen
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
