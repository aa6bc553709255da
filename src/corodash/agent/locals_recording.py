"""``--record-locals``: every yield and switch also records the locals of the task it
suspends, and the line it stands at, so that history can show them as of any event.

It sits in front of the tracers' ``append``: a LOCALS event goes just before each YIELD
(the generator's frame) and each SWITCH (the frame the origin greenlet stopped in: its
innermost frame of user code).
The compiled tracers write to the recorder without passing through here, so with this on
the agent uses the Python ones (slower: a teaching and debugging mode, not for timing).
"""

from __future__ import annotations

from types import BuiltinFunctionType, FunctionType, ModuleType

from corodash.agent.inspection import frame_locals
from corodash.agent.registry import Registry
from corodash.agent.usercode import CodeFilter
from corodash.protocol import LOCALS, MAIN_TASK, SWITCH, YIELD

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import FrameType
    from typing import Any


class LocalsRecorder:
    def __init__(
        self, append: Callable[[tuple], None], registry: Registry, code_filter: CodeFilter
    ) -> None:
        self._append = append
        self.registry = registry
        self.code_filter = code_filter

    def append(self, event: tuple) -> None:
        """The event, after the locals it leaves behind (so that they are known as of it)."""
        code = event[0]
        frame = None
        if code == YIELD:
            tid = event[2]
            frame = getattr(self._object(tid), "gi_frame", None)
        elif code == SWITCH:
            tid = event[3]
            frame = self._innermost_user(getattr(self._greenlet(tid), "gr_frame", None))
        if frame is not None:
            code_of = frame.f_code
            self._append(
                (
                    LOCALS,
                    event[1],
                    tid,
                    recorded_locals(frame),
                    code_of.co_filename,
                    frame.f_lineno,
                    code_of.co_name,
                )
            )
        self._append(event)

    def _object(self, tid: int) -> Any:
        task = self.registry.tasks.get(tid)
        return task.obj() if task is not None else None

    def _greenlet(self, tid: int) -> Any:
        if tid != MAIN_TASK:
            return self._object(tid)
        module = self.registry.greenlet_module
        glet = module.getcurrent() if module is not None else None
        while glet is not None and glet.parent is not None:
            glet = glet.parent
        return glet

    def _innermost_user(self, frame: FrameType | None) -> FrameType | None:
        while frame is not None and not self.code_filter.wants(frame.f_code):
            frame = frame.f_back
        return frame


_DEFINITIONS = (ModuleType, type, FunctionType, BuiltinFunctionType)


def recorded_locals(frame: FrameType) -> dict[str, str]:
    """A frame's locals as reprs; at a module's top level, its variables only (not the
    functions, classes and modules it defines or imports: the program's text shows them)."""
    shown = frame_locals(frame)
    if frame.f_code.co_name != "<module>":
        return shown
    names = frame.f_globals
    return {k: v for k, v in shown.items() if not isinstance(names.get(k), _DEFINITIONS)}
