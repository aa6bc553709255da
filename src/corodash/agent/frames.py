"""Finding the generator that owns a running frame.

Trace and monitoring callbacks see frames, never generator objects. Since CPython 3.11 a
generator's frame lives inside the generator object at a fixed offset, so the frame's
``f_frame`` pointer leads back to it. The offset is measured once on a probe generator and
checked on a second one; every answer is checked again (``gen.gi_frame is frame``). If the
layout is not what we expect, a slow search through the garbage collector takes over.
"""

from __future__ import annotations

import ctypes
import gc
from inspect import CO_GENERATOR
from types import FrameType, GeneratorType

_POINTER = ctypes.sizeof(ctypes.c_void_p)
_F_FRAME = 3 * _POINTER  # PyObject_HEAD (refcount, type), then f_back, then f_frame


def _probe():  # pragma: no cover - never run, only created
    yield


def _interpreter_frame_address(frame: FrameType) -> int:
    return ctypes.c_void_p.from_address(id(frame) + _F_FRAME).value or 0


def _measure_offset() -> int | None:
    first, second = _probe(), _probe()
    offset = _interpreter_frame_address(first.gi_frame) - id(first)
    if not 0 < offset < 1024:
        return None
    if _interpreter_frame_address(second.gi_frame) - offset != id(second):
        return None
    return offset


_OFFSET = _measure_offset()


def generator_of(frame: FrameType) -> GeneratorType | None:
    """The generator running ``frame`` (a frame of generator code), or None."""
    if not frame.f_code.co_flags & CO_GENERATOR:
        return None
    if _OFFSET is not None:
        address = _interpreter_frame_address(frame) - _OFFSET
        candidate = ctypes.cast(address, ctypes.py_object).value
        if type(candidate) is GeneratorType and candidate.gi_frame is frame:
            return candidate
    for referrer in gc.get_referrers(frame):
        if type(referrer) is GeneratorType and referrer.gi_frame is frame:
            return referrer
    return None
