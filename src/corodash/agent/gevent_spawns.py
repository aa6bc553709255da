"""gevent's spawn functions, wrapped so that each Greenlet is registered as it is spawned."""

from __future__ import annotations

from _functools import partial  # not functools: its imports are start-up the agent need not pay

from corodash.agent.accelerator import speedups
from corodash.agent.registry import GEVENT, Registry, Task
from corodash.agent.spawn_args import short_args

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


def announce_spawns(gevent: Any, registry: Registry) -> None:
    """Make ``gevent.spawn`` register its Greenlet at once; its first switch comes later.

    The Greenlet type itself is compiled and cannot be patched; the module's functions can,
    and the program only sees them after this hook has run. Compiled, the wrapper adds no
    frame to the stack gevent records at each spawn (``_speedups.Then``).
    """
    register = _registration(registry)
    for name in ("spawn", "spawn_later"):
        original = getattr(gevent, name, None)
        if original is not None:
            setattr(gevent, name, _then(original, register))


def _registration(registry: Registry) -> Callable[[Any], None]:
    """``spawned`` for ``registry``; compiled when the registry records into the compiled
    recorder (the Python function took 3 us a spawn, the compiled one a fifth of that)."""
    register = partial(spawned, registry)
    if speedups is None or not isinstance(
        getattr(registry.emit, "__self__", None), speedups.Recorder
    ):
        return register
    return speedups.SpawnRecorder(registry, Task, GEVENT, short_args, register)


def _then(call: Callable[..., Any], then: Callable[[Any], None]) -> Callable[..., Any]:
    """``call``, after which ``then`` is shown its result."""
    if speedups is not None:
        return speedups.Then(call, then)

    def announced(*args: Any, **kwargs: Any) -> Any:
        glet = call(*args, **kwargs)
        then(glet)
        return glet

    from functools import update_wrapper  # only without the compiled module

    return update_wrapper(announced, call)


def spawned(registry: Registry, glet: Any) -> None:
    """A Greenlet ``gevent.spawn`` has just made, registered as ``Registry.add_greenlet``
    would without what cannot apply yet: it is not the hub, and no global name refers to it
    before spawn returns (10,000 spawns paid a scan of the program's globals each)."""
    if id(glet) in registry.by_address:
        return
    run = getattr(glet, "_run", None)
    code = getattr(run, "__code__", None)
    name = getattr(run, "__name__", "greenlet") if run is not None else "greenlet"
    args, kwargs = glet.args, glet.kwargs
    parent = glet.parent
    registry.add(
        glet,
        name,
        GEVENT,
        registry.greenlet_seen(parent) if parent is not None else None,
        code.co_filename if code else None,
        code.co_firstlineno if code else None,
        args=short_args(args, kwargs) if args or kwargs else "",
        named=False,
    )
