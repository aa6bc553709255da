"""What every tracer records into: the pieces of the agent a tracer callback touches."""

from __future__ import annotations

from corodash.agent.gate import Gate
from corodash.agent.registry import Registry
from corodash.agent.resume_cause import ResumeCause
from corodash.agent.usercode import CodeFilter

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import FrameType
    from typing import Any


class Recording:
    def __init__(
        self,
        registry: Registry,
        append: Callable[[tuple], None],
        clock: Callable[[], float],
        gate: Gate,
        code_filter: CodeFilter,
        cause: ResumeCause,
        line_codes: dict[int, Any] | None = None,
        wrap_frame: Callable[[FrameType, Any], Any] | None = None,
        compiled: bool = True,
    ) -> None:
        self.registry = registry
        self.append = append
        """``list.append`` of the channel's buffer: the whole cost of recording an event."""
        self.clock = clock
        self.gate = gate
        self.code_filter = code_filter
        self.cause = cause
        self.line_codes = {} if line_codes is None else line_codes
        """Code objects holding a line breakpoint, by id: their frames get a line tracer."""
        self.wrap_frame = wrap_frame
        """Adds the line-breakpoint check to a frame's local tracer (3.11)."""
        self.compiled = compiled
        """Whether the compiled callbacks may record: they write to the recorder itself, so
        an ``append`` that does more (--record-locals) needs the Python ones."""
