"""What every tracer records into: the pieces of the agent a tracer callback touches."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from corodash.agent.gate import Gate
from corodash.agent.registry import Registry
from corodash.agent.resume_cause import ResumeCause
from corodash.agent.usercode import CodeFilter


@dataclass
class Recording:
    registry: Registry
    append: Callable[[tuple], None]
    """``list.append`` of the channel's buffer: the whole cost of recording an event."""
    clock: Callable[[], float]
    gate: Gate
    code_filter: CodeFilter
    cause: ResumeCause
    line_codes: dict[int, Any] = field(default_factory=dict)
    """Code objects holding a line breakpoint, by id: their frames get a line tracer."""
    wrap_frame: Callable[[FrameType, Any], Any] | None = None
    """Adds the line-breakpoint check to a frame's local tracer (3.11)."""

    compiled: bool = True
    """Whether the compiled callbacks may record: they write to the recorder itself, so
    an ``append`` that does more (--record-locals) needs the Python ones."""
