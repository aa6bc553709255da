"""Event tuples for generator and iterator activity, shared by both tracer back-ends."""

from __future__ import annotations

from corodash.agent.resume_cause import CLOSE, NEXT, SEND_CONST, SEND_NAME, SEND_UNKNOWN, THROW
from corodash.agent.values import safe_repr
from corodash.protocol import RAISE, RESUME, RETURN

_SENT_KINDS = (SEND_CONST, SEND_NAME, SEND_UNKNOWN)


def resume_event(t: float, tid: int, cause: tuple[int, object]) -> tuple | None:
    """The RESUME for a generator resumed with ``cause``; None when a throw event follows."""
    kind, detail = cause
    if kind == NEXT:
        return (RESUME, t, tid, "None", None)
    if kind in _SENT_KINDS:
        return (RESUME, t, tid, detail, None)
    if kind == CLOSE:
        return (RESUME, t, tid, None, "GeneratorExit()")
    if kind == THROW:
        return None
    return (RESUME, t, tid, "None", None)


def thrown_event(t: float, tid: int, error: BaseException) -> tuple:
    return (RESUME, t, tid, None, safe_repr(error))


def error_text(error: BaseException) -> str:
    message = str(error) if not isinstance(error, GeneratorExit) else ""
    name = type(error).__name__
    return f"{name}: {message}" if message else name


def unwind_event(t: float, tid: int, error: BaseException, iterator: bool) -> tuple:
    """An exception leaving a task: StopIteration from ``__next__`` ends an iterator."""
    if iterator and isinstance(error, StopIteration):
        return (RETURN, t, tid, "None")
    return (RAISE, t, tid, error_text(error))
