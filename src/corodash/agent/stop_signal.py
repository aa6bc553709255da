"""The signal that takes stops, kept out of the program's way.

A program may handle the same real-time signal itself: then its handler would run and
nothing would pause. ``signal.signal`` is wrapped so that when the program claims the stop
signal, the agent moves to a real-time signal nobody handles and the program gets its own,
as if corodash were not there. The agent itself uses ``_signal``: the ``signal`` module
loads ``enum``, 3 ms of start-up, so it is wrapped when the program imports it.
"""

from __future__ import annotations

import _signal

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import ModuleType
    from typing import Any

FIRST = _signal.SIGRTMIN + 5 if hasattr(_signal, "SIGRTMIN") else _signal.SIGUSR2


class StopSignal:
    def __init__(self, handler: Callable[[int, Any], None], moved: Callable[[int], None]) -> None:
        """``moved(number)``: tells the compiled callbacks the new signal."""
        self.number = int(FIRST)
        self.handler = handler
        self.moved = moved
        self._signal: Callable[[int, Any], Any] = _signal.signal
        self._default: Any = _signal.SIG_DFL

    def install(self, when_imported: Callable[[str, Callable[[ModuleType], None]], None]) -> None:
        """Take the signal; ``when_imported`` (PostImportHooks') wraps ``signal.signal``
        once the program imports ``signal`` (at once, if it is already imported)."""
        _signal.signal(self.number, self.handler)
        self.moved(self.number)
        when_imported("signal", self._wrap)

    def _wrap(self, module: ModuleType) -> None:
        self._signal = module.signal  # the program's calls get what they would have
        self._default = module.SIG_DFL
        module.signal = self._program_sets

    def _program_sets(self, signalnum: int, handler: Any) -> Any:
        if int(signalnum) != self.number:
            return self._signal(signalnum, handler)
        self._move()
        self._signal(signalnum, handler)
        return self._default  # what the program would have found without corodash

    def _move(self) -> None:
        last = _signal.SIGRTMAX if hasattr(_signal, "SIGRTMAX") else self.number
        for candidate in range(self.number + 1, int(last) + 1):
            if _signal.getsignal(candidate) == _signal.SIG_DFL:
                _signal.signal(candidate, self.handler)
                self.number = candidate
                self.moved(candidate)
                return
