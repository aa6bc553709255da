"""Line breakpoints: the program stops when a line that holds one is about to run.

Only the code objects that hold such a line are watched, so the rest of the program runs at
full speed. On Python 3.12+ they get ``sys.monitoring`` LINE events under a tool id of their
own; on 3.11 the settrace tracer gives their frames a line tracer (``wrap_frame``), and
frames already running that code get one at once.
"""

from __future__ import annotations

import gc
import os
import sys
from types import CodeType, FunctionType

from corodash.agent.accelerator import GUARD_FRAMES, guard
from corodash.agent.breakpoints import Break, Breakpoints
from corodash.agent.gate import Gate

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from types import FrameType
    from typing import Any

    Tracer = Callable[[FrameType, str, Any], Any]
_TOOL_CANDIDATES = (5, 3, 1, 0, 2, 4)


class LineBreaks:
    def __init__(self, gate: Gate, main_thread: int) -> None:
        self.gate = gate
        self.main_thread = main_thread
        self.program_code: CodeType | None = None
        """The script's module code, once compiled: where the search for lines starts."""
        self.places: dict[tuple[str, int], Break] = {}
        self.codes: dict[int, CodeType] = {}
        """Code objects that hold a breakpoint's line, by id (kept alive so ids stay)."""
        self._tool: int | None = None
        self._was_watched: dict[int, CodeType] = {}
        """What ``sys.monitoring`` watched last: code no breakpoint needs any more goes."""
        self._on_line = guard(self._line_event)

    # -- breakpoints ---------------------------------------------------------------------

    def add(self, found: Break) -> None:
        """Watch the code that holds ``found``'s line; ValueError when no code does."""
        assert found.file is not None and found.line is not None
        codes = [
            c for c in self._all_code() if _same_file(c, found.file) and _has_line(c, found.line)
        ]
        if not codes:
            self.gate.breaks.remove(found.id)
            raise ValueError(f"no code of the program is at {found.file}:{found.line}")
        found.file = codes[0].co_filename
        self.places[(found.file, found.line)] = found
        for code in codes:
            self.codes[id(code)] = code
        self._watch()

    def update(self, breaks: Breakpoints) -> None:
        """After a breakpoint went or was toggled: watch only what enabled ones need."""
        self.places = {(b.file, b.line): b for b in breaks.enabled("line")}  # type: ignore[misc]
        for key, code in list(self.codes.items()):  # in place: the tracer holds this dict
            if not any(f == code.co_filename and _has_line(code, n) for f, n in self.places):
                del self.codes[key]
        self._watch()

    def hit(self, code: CodeType, line: int) -> Break | None:
        found = self.places.get((code.co_filename, line))
        return found if found is not None and found.enabled else None

    # -- tracing -------------------------------------------------------------------------

    def _line_event(self, code: CodeType, line: int) -> object:
        found = self.hit(code, line)
        if found is None:
            return sys.monitoring.DISABLE  # type: ignore[attr-defined]
        self.gate.break_at_line(found, sys._getframe(1 + GUARD_FRAMES))
        return None

    def _watch(self) -> None:
        if sys.version_info >= (3, 12):
            self._watch_monitoring()
        else:
            self._watch_running_frames()

    def _watch_monitoring(self) -> None:
        mon = sys.monitoring  # type: ignore[attr-defined]
        if self._tool is None:
            self._tool = next(t for t in _TOOL_CANDIDATES if mon.get_tool(t) is None)
            mon.use_tool_id(self._tool, "corodash-lines")
            mon.register_callback(self._tool, mon.events.LINE, self._on_line)
        for key, code in self._was_watched.items():
            if key not in self.codes:
                mon.set_local_events(self._tool, code, 0)
        for code in self.codes.values():
            mon.set_local_events(self._tool, code, mon.events.LINE)
        self._was_watched = dict(self.codes)
        mon.restart_events()  # lines turned off (DISABLE) before count again

    def _watch_running_frames(self) -> None:
        """3.11: frames already running watched code get a line tracer now."""
        frame = sys._current_frames().get(self.main_thread)
        while frame is not None:
            if id(frame.f_code) in self.codes:
                frame.f_trace = self.wrap_frame(frame, frame.f_trace)
            frame = frame.f_back

    def wrap_frame(self, frame: FrameType, local: Tracer | None) -> Tracer | None:
        """3.11: ``frame``'s local tracer (the generator tracer's, or none), with this one's
        line check added when its code holds a breakpoint's line."""
        if id(frame.f_code) not in self.codes:
            return local
        frame.f_trace_lines = True
        hit, gate = self.hit, self.gate

        def traced(frame: FrameType, event: str, arg: Any) -> Any:
            nonlocal local
            if local is not None:
                local = local(frame, event, arg)
            frame.f_trace_lines = True
            if event == "line":
                found = hit(frame.f_code, frame.f_lineno)
                if found is not None:
                    gate.break_at_line(found, frame)
            return guarded

        guarded = guard(traced)
        return guarded

    # -- finding code --------------------------------------------------------------------

    def _all_code(self) -> Iterator[CodeType]:
        """Every code object of the program reachable now: the script's, its functions'
        (with what they nest), and the running frames'."""
        roots: list[CodeType] = [self.program_code] if self.program_code else []
        roots += [f.__code__ for f in gc.get_objects() if type(f) is FunctionType]
        frame = sys._current_frames().get(self.main_thread)
        while frame is not None:
            roots.append(frame.f_code)
            frame = frame.f_back
        seen: set[int] = set()
        while roots:
            code = roots.pop()
            if id(code) in seen:
                continue
            seen.add(id(code))
            yield code
            roots.extend(c for c in code.co_consts if isinstance(c, CodeType))


def _same_file(code: CodeType, file: str) -> bool:
    name = code.co_filename
    return name == file or os.path.basename(name) == file or name == os.path.abspath(file)


def _has_line(code: CodeType, line: int) -> bool:
    return any(number == line for _, _, number in code.co_lines())
