"""Read-only views of tasks: state, location, stack, locals and source, as plain data."""

from __future__ import annotations

import sys
from types import GeneratorType

from corodash.agent.frames import generator_state
from corodash.agent.originals import get_ident
from corodash.agent.registry import GENERATOR, GREENLET, Registry, Task
from corodash.agent.usercode import CodeFilter
from corodash.agent.value_parts import openable, part, parts
from corodash.agent.values import safe_repr
from corodash.protocol import MAIN_TASK
from corodash.source_excerpt import source_excerpt

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import FrameType
    from typing import Any

MAX_LOCALS = 60


class Inspector:
    """Answers 'tasks' and 'where' from the registry and the live objects."""

    def __init__(
        self,
        registry: Registry,
        code_filter: CodeFilter,
        main_thread: int,
        namespace: dict[str, Any],
    ) -> None:
        self.registry = registry
        self.code_filter = code_filter
        self.main_thread = main_thread
        self.namespace = namespace
        self.program_done = False

    def tasks(self) -> list[dict[str, Any]]:
        names = self.registry.global_names(self.namespace)
        return [
            self._summary(task, names.get(task.tid, []))
            for task in list(self.registry.tasks.values())
        ]

    def _summary(self, task: Task, global_names: list[str]) -> dict[str, Any]:
        frame = self._frame_of(task)
        user_frame = self._innermost_user(frame)
        summary: dict[str, Any] = {
            "id": task.tid,
            "name": task.name,
            "kind": task.kind,
            "parent": task.parent,
            "state": self.state(task),
            "globals": global_names,
            "alive": self._alive(task),
            "file": None,
            "line": None,
            "function": None,
        }
        if user_frame is not None:
            code = user_frame.f_code
            summary.update(file=code.co_filename, line=user_frame.f_lineno, function=code.co_name)
        elif task.kind == GENERATOR and isinstance(task.obj(), GeneratorType):
            code = task.obj().gi_code
            summary.update(file=code.co_filename, line=code.co_firstlineno, function=code.co_name)
        return summary

    def _alive(self, task: Task) -> bool:
        return task.tid == MAIN_TASK or task.obj() is not None

    def state(self, task: Task) -> str | None:
        """The live state, or None where only the event history can tell."""
        obj = task.obj()
        if task.tid == MAIN_TASK:
            if self.program_done:
                return "finished"
            return "suspended" if self._is_current(obj) is False else "running"
        if obj is None:
            return None
        if isinstance(obj, GeneratorType):
            return generator_state(obj)
        if task.kind == GREENLET or self.registry.is_greenlet(obj):
            if obj.dead:
                return "dead"
            if not obj:
                return "not started"
            current = self._is_current(obj)
            return None if current is None else "running" if current else "suspended"
        return None

    def _is_current(self, glet: Any) -> bool | None:
        """Whether ``glet`` runs on the main thread now; None if this thread cannot tell.
        greenlet only knows the current greenlet of the thread that asks; from another
        thread, a started greenlet that has a frame of its own is suspended (the running
        one's frames are its thread's)."""
        module = self.registry.greenlet_module
        if module is None or glet is None:
            return True
        if get_ident() != self.main_thread:
            if not glet or glet.dead:
                return None
            return glet.gr_frame is None
        return module.getcurrent() is glet

    def reachable_values(self) -> list[Any]:
        """The program's globals, then the locals of the main thread's user frames (from
        the innermost): where a task made but not started yet can be found at a stop."""
        values = list(self.namespace.values())
        frame = sys._current_frames().get(self.main_thread)
        while frame is not None:
            if self.code_filter.wants(frame.f_code) and frame.f_globals is not frame.f_locals:
                values.extend(value for _, value in _local_values(frame))
            frame = frame.f_back
        return values

    def _frame_of(self, task: Task) -> FrameType | None:
        obj = task.obj()
        if isinstance(obj, GeneratorType):
            frame = obj.gi_frame
            inner = obj
            while isinstance(getattr(inner, "gi_yieldfrom", None), GeneratorType):
                inner = inner.gi_yieldfrom
                frame = inner.gi_frame or frame
            return frame
        if task.tid == MAIN_TASK and self.program_done:
            return None  # the main greenlet now only serves corodash's commands
        if obj is None and task.tid != MAIN_TASK:
            return None  # gone: collected, or never had an object
        current = self._is_current(obj)
        if current or (current is None and task.tid == MAIN_TASK):
            return sys._current_frames().get(self.main_thread)
        return getattr(obj, "gr_frame", None)

    def _innermost_user(self, frame: FrameType | None) -> FrameType | None:
        while frame is not None and not self.code_filter.wants(frame.f_code):
            frame = frame.f_back
        return frame

    def where(self, task: Task, at: int | None = None) -> dict[str, Any]:
        """Stack (outermost first); locals of the frame numbered ``at`` in it (by default
        the innermost user frame), the names among them that open, and source around it."""
        frames = self._stack(task)
        stack = [
            {
                "file": f.f_code.co_filename,
                "line": f.f_lineno,
                "function": f.f_code.co_name,
                "user": self.code_filter.wants(f.f_code),
            }
            for f in frames
        ]
        chosen = self._chosen(frames, at)
        answer: dict[str, Any] = {
            "task": task.tid,
            "name": task.name,
            "state": self.state(task),
            "stack": stack,
            "frame": chosen,
            "locals": {},
            "open": [],
            "source": None,
        }
        if chosen is not None:
            frame = frames[chosen]
            answer["locals"] = frame_locals(frame)
            answer["open"] = [n for n, v in _local_values(frame) if openable(v)]
            answer["source"] = source_excerpt(frame.f_code.co_filename, frame.f_lineno)
        return answer

    def expand(self, task: Task, at: int | None, path: list[str]) -> dict[str, Any]:
        """The parts of a local of frame ``at`` (``path``: its name, then part tokens)."""
        frames = self._stack(task)
        chosen = self._chosen(frames, at)
        if chosen is None or not path:
            raise KeyError("that frame is gone: the task moved on")
        local = dict(_local_values(frames[chosen]))
        if path[0] not in local:
            raise KeyError(f"{path[0]} is not a local of {frames[chosen].f_code.co_name}")
        value = local[path[0]]
        for token in path[1:]:
            value = part(value, token)
        return {"parts": [list(p) for p in parts(value)]}

    def _stack(self, task: Task) -> list[FrameType]:
        """The task's frames, outermost first, from its first user frame (what ran the
        program, runpy and corodash, is not its story)."""
        frames = []
        walker = self._frame_of(task)
        while walker is not None:
            code = walker.f_code
            if "corodash" not in code.co_filename or self.code_filter.wants(code):
                frames.append(walker)
            walker = walker.f_back
        frames.reverse()
        first_user = next(
            (n for n, f in enumerate(frames) if self.code_filter.wants(f.f_code)), len(frames)
        )
        return frames[first_user:]

    def _chosen(self, frames: list[FrameType], at: int | None) -> int | None:
        if at is not None and 0 <= at < len(frames):
            return at
        users = [n for n, f in enumerate(frames) if self.code_filter.wants(f.f_code)]
        return users[-1] if users else None

    def position(self, frame: FrameType | None) -> dict[str, Any]:
        """Where the main thread stands: its task and innermost user frame."""
        if frame is None:
            frame = sys._current_frames().get(self.main_thread)
        task = self.registry.task_of_frame_stack(frame)
        user_frame = self._innermost_user(frame)
        where: dict[str, Any] = {"task": task}
        if user_frame is not None:
            where.update(
                file=user_frame.f_code.co_filename,
                line=user_frame.f_lineno,
                function=user_frame.f_code.co_name,
            )
        return where


def frame_locals(frame: FrameType) -> dict[str, str]:
    """A frame's locals as reprs (safe_repr's limits), at most MAX_LOCALS."""
    return {name: safe_repr(value) for name, value in _local_values(frame)}


def _local_values(frame: FrameType) -> list[tuple[str, Any]]:
    items = list(frame.f_locals.items())[:MAX_LOCALS]
    return [(str(name), value) for name, value in items if not str(name).startswith("__")]
