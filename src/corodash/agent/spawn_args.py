"""What a new task was started with, in a few characters: ``'baker'``, ``3, n=2``.

It tells apart tasks that run the same function (three ``worker`` greenlets). Runs inside
the tracer, so it calls no user code: only values of built-in scalar types are shown by
their repr; anything else by its type's name.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from types import FrameType
    from typing import Any

PLAIN = (str, bytes, int, float, bool, type(None), complex)
VALUE_WIDTH = 12
ARGS_WIDTH = 28
HIDDEN = ("self", "cls")


def short_args(args: Iterable[Any], kwargs: Mapping[str, Any] | None = None) -> str:
    """``args`` and ``kwargs`` as a call would show them, cut to ARGS_WIDTH."""
    parts = [_short(value) for value in args]
    parts += [f"{key}={_short(value)}" for key, value in (kwargs or {}).items()]
    text = ", ".join(parts)
    return text if len(text) <= ARGS_WIDTH else text[: ARGS_WIDTH - 1] + "…"


def frame_args(frame: FrameType | None) -> str:
    """The arguments a generator was called with: its frame's parameters before it first
    runs (``self`` and ``cls`` left out, and the hidden iterator of a generator expression)."""
    if frame is None:
        return ""
    code = frame.f_code
    count = code.co_argcount + code.co_kwonlyargcount
    names = [n for n in code.co_varnames[:count] if n not in HIDDEN and not n.startswith(".")]
    if not names:
        return ""
    values = frame.f_locals
    return short_args(values[n] for n in names if n in values)


def _short(value: Any) -> str:
    kind = type(value)
    if kind not in PLAIN:
        return kind.__name__
    text = repr(value)
    return text if len(text) <= VALUE_WIDTH else text[: VALUE_WIDTH - 1] + "…"
