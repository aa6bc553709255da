"""Short, safe strings for user values.

A user's ``repr`` may raise, loop forever or return megabytes. Plain values take a fast path;
everything else goes through ``reprlib`` with limits, under a watchdog that interrupts a
``repr`` running longer than REPR_TIMEOUT seconds.
"""

from __future__ import annotations

import reprlib
from time import perf_counter

from corodash.agent.originals import allocate_lock

LIMIT = 200
"""Longest repr kept in an event, in characters."""

REPR_TIMEOUT = 1.0

SMALL_INT = 10**18
"""Ints within this bound have a short repr: tracers call repr on them directly."""
_PLAIN = (float, bool, type(None), complex, bytes)
PLAIN_TYPES = frozenset({bool, float, type(None)})
"""Types whose repr is always short and safe: tracers call repr on them directly."""
_CONTAINERS = (list, tuple, dict, set, frozenset)
"""Shown shortened by reprlib (a million-item list must not be repr'd whole)."""


class ReprTimeout(BaseException):
    """Raised inside a ``repr`` that took longer than REPR_TIMEOUT (by the watchdog)."""


_limited = reprlib.Repr()
_limited.maxstring = LIMIT
_limited.maxother = LIMIT
_limited.maxlong = 60


class ReprWatchdog:
    """Lets another thread interrupt a ``repr`` that hangs in the traced thread.

    The interruption is an asynchronous exception. A lock keeps it from firing once the repr
    is over, and one that fired just as the repr returned is absorbed here, never in user
    code. (Cancelling a pending one with ``PyThreadState_SetAsyncExc(tid, NULL)`` is no
    use: on 3.11 it leaves the eval breaker set and the interpreter spins.)
    """

    def __init__(self, thread_id: int) -> None:
        self.thread_id = thread_id
        self.started = 0.0
        self.fired = False
        self._lock = allocate_lock()

    def check(self, now: float) -> None:
        """Called periodically from the channel's thread."""
        with self._lock:
            if self.started and not self.fired and now - self.started > REPR_TIMEOUT:
                self.fired = True
                import ctypes  # only for a repr that hangs: kept out of the agent's start-up

                ctypes.pythonapi.PyThreadState_SetAsyncExc(
                    ctypes.c_ulong(self.thread_id), ctypes.py_object(ReprTimeout)
                )

    def arm(self) -> None:
        self.started = perf_counter()

    def disarm(self) -> None:
        try:
            with self._lock:
                self.started = 0.0
                fired, self.fired = self.fired, False
            if fired:
                for _ in range(10_000):  # the pending exception lands in this loop
                    pass
        except ReprTimeout:
            pass


watchdog: ReprWatchdog | None = None
"""Set by the agent at start-up; without it a hanging repr hangs."""


def clip(text: str) -> str:
    if len(text) <= LIMIT:
        return text
    return text[: LIMIT - 1] + "…"


def safe_repr(value: object) -> str:
    """``repr(value)`` in at most LIMIT characters, or a marker saying why not."""
    kind = type(value)
    if kind is int:
        if -SMALL_INT < value < SMALL_INT:  # type: ignore[operator]
            return repr(value)
        return f"<int of {value.bit_length()} bits>"  # type: ignore[attr-defined]
    if kind is str:
        if len(value) <= LIMIT:  # type: ignore[arg-type]
            return repr(value)
        return repr(value[:LIMIT]) + f"… ({len(value)} chars)"  # type: ignore[index,arg-type]
    if kind in _PLAIN:
        return clip(repr(value))
    return _guarded_repr(value)


def _guarded_repr(value: object) -> str:
    if type(value).__repr__ is object.__repr__:
        # Python's default says only the type and an address: the type is what a reader
        # needs, and the frame pane opens the object into its attributes.
        return f"<{_type_name(value)} object>"
    dog = watchdog
    if dog is not None:
        dog.arm()
    try:
        text = _limited.repr(value) if type(value) in _CONTAINERS else repr(value)
    except ReprTimeout:
        text = f"<{_type_name(value)}: repr took longer than {REPR_TIMEOUT:g}s>"
    except BaseException as error:
        text = f"<{_type_name(value)}: repr failed: {type(error).__name__}: {error}>"
    finally:
        if dog is not None:
            dog.disarm()
    return clip(text)


def _type_name(value: object) -> str:
    try:
        return type(value).__qualname__
    except Exception:
        return "object"
