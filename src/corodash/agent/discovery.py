"""Finding the tasks no event announced: generators, iterators and greenlets the program made
but has not run, in its globals or anywhere the garbage collector sees (at the end of the
top level, for the task list; when attaching; when asked for what is reachable)."""

from __future__ import annotations

import gc
from types import GeneratorType

from corodash.agent.registry import Registry
from corodash.protocol import MAIN_TASK

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any


def discover(registry: Registry, objects: Iterable[Any], from_heap: bool = False) -> None:
    """Register tasks among ``objects`` that never ran (so no event announced them): the
    script's globals, or ``from_heap``, anything the garbage collector holds."""
    for obj in objects:
        if id(obj) in registry.by_address:
            continue
        kind = type(obj)
        if kind is GeneratorType:
            if registry.code_filter.wants(obj.gi_code):
                registry.add_generator(obj)
        elif registry.is_greenlet(obj):
            if not obj.dead and _wanted_greenlet(registry, obj, from_heap):
                registry.add_greenlet(obj)
        elif _is_user_iterator(registry, kind):
            registry.add_iterator(obj)


def discover_everywhere(registry: Registry, namespace: dict[str, Any]) -> None:
    """Globals first (cheap), then the garbage collector's view of the heap."""
    discover(registry, list(namespace.values()))
    gc.collect()
    is_greenlet = registry.is_greenlet
    wanted = [o for o in gc.get_objects() if type(o) is GeneratorType or is_greenlet(o)]
    discover(registry, wanted, from_heap=True)


def _wanted_greenlet(registry: Registry, glet: Any, from_heap: bool) -> bool:
    """A greenlet of the program's own thread, and, when only the heap holds it, one whose
    function, where known, is the user's: another thread's is never switched to by the
    traced program, and gevent's thread-pool workers are made in this thread before their
    own thread adopts them."""
    main = registry.tasks[MAIN_TASK].obj()
    root = glet
    while root.parent is not None:
        root = root.parent
    if main is not None and root is not main:
        return False
    code = getattr(registry.function_of(glet), "__code__", None)
    if not from_heap or code is None or registry.is_hub(glet):
        return True
    return registry.code_filter.wants(code)


def _is_user_iterator(registry: Registry, kind: type) -> bool:
    nxt = getattr(kind, "__next__", None)
    code = getattr(nxt, "__code__", None)
    return code is not None and hasattr(kind, "__iter__") and registry.code_filter.wants(code)
