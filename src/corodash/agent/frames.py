"""Generators as tracers see them: the one that owns a running frame, and its state.

Trace and monitoring callbacks see frames, never generator objects. Since CPython 3.11 a
generator's frame lives inside the generator object at a fixed offset, so the frame's
``f_frame`` pointer leads back to it. The offset is measured once on a probe generator and
checked on a second one; every answer is checked again (``gen.gi_frame is frame``). If the
layout is not what we expect, a slow search through the garbage collector takes over.
ctypes is loaded at the first generator seen: a program without one never pays for it.
"""

from __future__ import annotations

import gc
from types import GeneratorType

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import FrameType

CO_GENERATOR = 0x20
"""``inspect.CO_GENERATOR``, without importing inspect (a tenth of the agent's start-up)."""


def generator_state(gen: GeneratorType) -> str:
    """``inspect.getgeneratorstate``, as the word the dashboard shows: created, running,
    suspended or closed."""
    if gen.gi_running:
        return "running"
    if gen.gi_suspended:
        return "suspended"
    return "closed" if gen.gi_frame is None else "created"


def _probe():  # pragma: no cover - never run, only created
    yield


class _FrameLayout:
    """Reads a frame's ``f_frame`` pointer, and the object at an address, with ctypes."""

    def __init__(self) -> None:
        import ctypes

        self.ctypes = ctypes
        # PyObject_HEAD (refcount, type), then f_back, then f_frame
        self.f_frame = 3 * ctypes.sizeof(ctypes.c_void_p)
        self.offset = self._measure_offset()

    def interpreter_frame_address(self, frame: FrameType) -> int:
        return self.ctypes.c_void_p.from_address(id(frame) + self.f_frame).value or 0

    def _measure_offset(self) -> int | None:
        first, second = _probe(), _probe()
        offset = self.interpreter_frame_address(first.gi_frame) - id(first)
        if not 0 < offset < 1024:
            return None
        if self.interpreter_frame_address(second.gi_frame) - offset != id(second):
            return None
        return offset

    def generator_at(self, frame: FrameType) -> object | None:
        """The object where ``frame``'s generator would be, or None if unknown."""
        if self.offset is None:
            return None
        address = self.interpreter_frame_address(frame) - self.offset
        return self.ctypes.cast(address, self.ctypes.py_object).value


_layout: _FrameLayout | None = None


def generator_of(frame: FrameType) -> GeneratorType | None:
    """The generator running ``frame`` (a frame of generator code), or None."""
    global _layout
    if not frame.f_code.co_flags & CO_GENERATOR:
        return None
    if _layout is None:
        _layout = _FrameLayout()
    candidate = _layout.generator_at(frame)
    if type(candidate) is GeneratorType and candidate.gi_frame is frame:
        return candidate
    for referrer in gc.get_referrers(frame):
        if type(referrer) is GeneratorType and referrer.gi_frame is frame:
            return referrer
    return None
