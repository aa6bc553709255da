"""gevent's spawn functions, wrapped so that each Greenlet is registered as it is spawned."""

from __future__ import annotations

import functools

from corodash.agent.registry import Registry

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def announce_spawns(gevent: Any, registry: Registry) -> None:
    """Make ``gevent.spawn`` register its Greenlet at once; its first switch comes later.

    The Greenlet type itself is compiled and cannot be patched; the module's functions can,
    and the program only sees them after this hook has run.
    """
    for name in ("spawn", "spawn_later"):
        original = getattr(gevent, name, None)
        if original is None:
            continue

        def announced(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
            glet = _original(*args, **kwargs)
            registry.gevent_spawned(glet)
            return glet

        functools.update_wrapper(announced, original)
        setattr(gevent, name, announced)
