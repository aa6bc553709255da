"""The signal that takes stops, kept out of the program's way.

A program may handle the same real-time signal itself: then its handler would run and
nothing would pause. ``signal.signal`` is wrapped so that when the program claims the stop
signal, the agent moves to a real-time signal nobody handles and the program gets its own,
as if corodash were not there.
"""

from __future__ import annotations

import signal

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

FIRST = signal.SIGRTMIN + 5 if hasattr(signal, "SIGRTMIN") else signal.SIGUSR2


class StopSignal:
    def __init__(self, handler: Callable[[int, Any], None], moved: Callable[[int], None]) -> None:
        """``moved(number)``: tells the compiled callbacks the new signal."""
        self.number = int(FIRST)
        self.handler = handler
        self.moved = moved
        self._signal = signal.signal

    def install(self) -> None:
        self._signal(self.number, self.handler)
        self.moved(self.number)
        signal.signal = self._program_sets  # type: ignore[assignment]

    def _program_sets(self, signalnum: int, handler: Any) -> Any:
        if int(signalnum) != self.number:
            return self._signal(signalnum, handler)
        self._move()
        self._signal(signalnum, handler)
        return signal.SIG_DFL  # what the program would have found without corodash

    def _move(self) -> None:
        last = signal.SIGRTMAX if hasattr(signal, "SIGRTMAX") else self.number
        for candidate in range(self.number + 1, int(last) + 1):
            if signal.getsignal(candidate) == signal.SIG_DFL:
                self._signal(candidate, self.handler)
                self.number = candidate
                self.moved(candidate)
                return
