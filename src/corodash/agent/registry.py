"""The agent's tasks: every generator, iterator and greenlet it has seen, by weak reference.

corodash must never keep a task alive (a greenlet whose last reference goes is killed with
GreenletExit; holding it would change the program), so the registry holds weak references
and forgets an object's address the moment it dies.
"""

from __future__ import annotations

from _weakref import ref
from types import GeneratorType

from corodash.agent.accelerator import address_table
from corodash.agent.frames import generator_of
from corodash.agent.spawn_args import frame_args, short_args
from corodash.agent.usercode import CodeFilter
from corodash.protocol import MAIN_TASK, SPAWN

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import FrameType
    from typing import Any

GENERATOR, ITERATOR, GREENLET, GEVENT = "generator", "iterator", "greenlet", "gevent"


class _Nothing:
    """Stands in for a task with no object to refer to (the top level before greenlet)."""


_NOTHING = _Nothing()


class Task(ref):
    """One task: a weak reference to its object that also carries what the agent knows of it
    (made by ``make_task``).

    A single small object per task keeps corodash's memory per task low.
    """

    __slots__ = ("address", "frame_address", "kind", "name", "parent", "tid")
    address: int | None
    frame_address: int | None
    tid: int
    name: str
    kind: str
    parent: int | None

    def obj(self) -> Any:
        """The live object, or None once it is gone (or if there never was one)."""
        obj = self()
        return None if obj is _NOTHING else obj


def make_task(obj: Any, callback: Any, tid: int, name: str, kind: str, parent: int | None) -> Task:
    """A Task for ``obj`` (None: a task with no object), ``callback`` called once it is
    gone. Made by weakref's own constructor: a ``__new__`` and ``__init__`` in Python cost
    three times as much, once per greenlet, generator and iterator."""
    task = Task(_NOTHING if obj is None else obj, callback)
    task.address = id(obj) if obj is not None else None
    task.frame_address = None
    task.tid = tid
    task.name = name
    task.kind = kind
    task.parent = parent
    return task


class Registry:
    """Task ids by object address (live objects only) and by running frame."""

    def __init__(
        self, emit: Callable[[tuple], None], clock: Callable[[], float], code_filter: CodeFilter
    ) -> None:
        self.emit = emit
        self.clock = clock
        self.code_filter = code_filter
        self.tasks: dict[int, Task] = {
            MAIN_TASK: make_task(None, None, MAIN_TASK, "main", GREENLET, None)
        }
        self.by_address = address_table()
        """Task ids by ``id()`` of live objects."""
        self.by_frame: dict[int, int] = {}
        self._next_id = 1
        self._on_gone = self._forget  # one bound method shared by every weak reference
        self.greenlet_module: Any = None
        self.gevent_greenlet_type: type | None = None
        self.hub_type: type | None = None
        self.hub_tid: int | None = None
        self.namespace: dict[str, Any] = {}
        """The program's globals (its ``__main__``), once it runs."""

    # -- registering ---------------------------------------------------------------------

    def add(
        self,
        obj: Any,
        name: str,
        kind: str,
        parent: int | None,
        file: str | None = None,
        line: int | None = None,
        t: float | None = None,
        args: str = "",
        named: bool = True,
    ) -> int:
        """Register ``obj`` and announce it with a SPAWN event (at ``t``, or now), with the
        label it proposes for the task: its name and ``args`` (what it was started with),
        else the global name the program knows it by (unless it cannot have one yet:
        ``named`` False), else its name."""
        tid = self._next_id
        self._next_id += 1
        try:
            task = make_task(obj, self._on_gone, tid, name, kind, parent)
        except TypeError:  # no weak references to it (a class with __slots__): keep none
            task = make_task(None, None, tid, name, kind, parent)
            task.address = id(obj)
        self.tasks[tid] = task
        if obj is not None:
            self.by_address[task.address] = tid
        now = self.clock() if t is None else t
        label = f"{name}({args})" if args else (named and self._global_name(obj)) or name
        self.emit((SPAWN, now, tid, name, kind, parent, file, line, label))
        return tid

    def _global_name(self, obj: Any) -> str | None:
        """The program's global name for ``obj``, if it has one yet (a dict scan: only for
        tasks whose arguments do not tell them apart)."""
        if obj is None:
            return None
        try:
            for key, value in self.namespace.items():
                if value is obj and not key.startswith("__"):
                    return key
        except RuntimeError:  # another thread changed the globals meanwhile
            pass
        return None

    def alias(self, obj: Any, tid: int) -> None:
        """Record ``obj`` (the main greenlet) as an existing task, without a spawn event."""
        task = self.tasks[tid]
        self.tasks[tid] = make_task(obj, self._on_gone, tid, task.name, task.kind, task.parent)
        self.by_address[id(obj)] = tid

    def _forget(self, task: Task) -> None:
        if self.by_address.get(task.address) == task.tid:  # type: ignore[arg-type]
            del self.by_address[task.address]  # type: ignore[arg-type]
        if task.frame_address is not None and self.by_frame.get(task.frame_address) == task.tid:
            del self.by_frame[task.frame_address]

    def generator_started(self, frame: FrameType) -> int:
        """The task of the generator running ``frame``, registered on first sight."""
        gen = generator_of(frame)
        if gen is None:
            tid = self._unresolved(frame)
        else:
            tid = self.by_address.get(id(gen))
            if tid is None:
                tid = self.add_generator(gen, frame)
        self.tasks[tid].frame_address = id(frame)
        self.by_frame[id(frame)] = tid
        return tid

    def _unresolved(self, frame: FrameType) -> int:
        """A generator frame whose generator could not be found: tracked by frame only."""
        code = frame.f_code
        return self.add(
            None, code.co_name, GENERATOR, self.current_greenlet(), code.co_filename, frame.f_lineno
        )

    def add_generator(self, gen: GeneratorType, frame: FrameType | None = None) -> int:
        code = gen.gi_code
        line = frame.f_lineno if frame is not None else code.co_firstlineno
        args = frame_args(frame or gen.gi_frame)
        return self.add(gen, gen.__name__, GENERATOR, None, code.co_filename, line, args=args)

    def iterator_entered(self, frame: FrameType) -> int | None:
        """The task of the iterator whose ``__next__`` runs in ``frame``."""
        code = frame.f_code
        if not code.co_argcount:
            return None
        this = frame.f_locals.get(code.co_varnames[0])
        if this is None:
            return None
        tid = self.by_address.get(id(this))
        if tid is None:
            tid = self.add_iterator(this)
        self.by_frame[id(frame)] = tid
        return tid

    def add_iterator(self, obj: Any) -> int:
        cls = type(obj)
        code = getattr(cls.__next__, "__code__", None)
        file = code.co_filename if code else None
        line = code.co_firstlineno if code else None
        return self.add(obj, cls.__name__, ITERATOR, None, file, line)

    def greenlet_seen(self, glet: Any) -> int:
        tid = self.by_address.get(id(glet))
        if tid is None:
            tid = self.add_greenlet(glet)
        return tid

    def add_greenlet(self, glet: Any) -> int:
        kind = GREENLET
        name = "greenlet"
        run = None
        is_hub = self.is_hub(glet)
        if is_hub:
            kind, name = GEVENT, "hub"
        else:
            if self._is_gevent_greenlet(glet):
                kind = GEVENT
            run = self.function_of(glet)
        code = getattr(run, "__code__", None)
        args = ""
        if run is not None:
            name = getattr(run, "__name__", name)
            if kind == GEVENT:
                args = short_args(getattr(glet, "args", ()), getattr(glet, "kwargs", None))
        elif kind == GREENLET and glet.gr_frame is not None:
            code = _outermost(glet.gr_frame).f_code
            name = code.co_name
        parent = glet.parent
        parent_tid = self.greenlet_seen(parent) if parent is not None else None
        if is_hub:
            self.hub_tid = self._next_id
        return self.add(
            glet,
            name,
            kind,
            parent_tid,
            code.co_filename if code else None,
            code.co_firstlineno if code else None,
            args=args,
        )

    def current_greenlet(self) -> int:
        module = self.greenlet_module
        if module is None:
            return MAIN_TASK
        return self.by_address.get(id(module.getcurrent()), MAIN_TASK)

    def is_hub(self, glet: Any) -> bool:
        return self.hub_type is not None and isinstance(glet, self.hub_type)

    def _is_gevent_greenlet(self, glet: Any) -> bool:
        return self.gevent_greenlet_type is not None and isinstance(glet, self.gevent_greenlet_type)

    def function_of(self, glet: Any) -> Any:
        """What the greenlet runs: a gevent Greenlet's function, or a plain one's ``run``."""
        return getattr(glet, "_run" if self._is_gevent_greenlet(glet) else "run", None)

    def is_greenlet(self, obj: Any) -> bool:
        module = self.greenlet_module
        return module is not None and isinstance(obj, module.greenlet)

    # -- lookup --------------------------------------------------------------------------

    def global_names(self, namespace: dict[str, Any]) -> dict[int, list[str]]:
        """Task id -> the script's global names that refer to it."""
        names: dict[int, list[str]] = {}
        for key, value in list(namespace.items()):
            tid = self.by_address.get(id(value))
            if tid is not None and not key.startswith("__"):
                names.setdefault(tid, []).append(key)
        return names

    def task_of_frame_stack(self, frame: FrameType | None) -> int:
        """The innermost task running ``frame`` or one of its callers."""
        by_frame = self.by_frame
        while frame is not None:
            tid = by_frame.get(id(frame))
            if tid is not None:
                return tid
            frame = frame.f_back
        return self.current_greenlet()


def _outermost(frame: FrameType) -> FrameType:
    """The bottom frame of a suspended greenlet: the function it was started with."""
    while frame.f_back is not None:
        frame = frame.f_back
    return frame
