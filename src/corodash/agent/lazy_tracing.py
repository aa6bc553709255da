"""On Python 3.11, generator tracing only once the program has generators of its own.

``sys.settrace`` slows every Python call in the process, so a greenlet or gevent program
whose own code defines no generator and no ``__next__`` should not pay for it. The script is
scanned before it runs; while nothing needed tracing, every user module it imports is scanned
too, and the tracer goes on at the first one that has a generator. (Python 3.12's
``sys.monitoring`` costs nothing to code it does not watch, so there it is always on.)
"""

from __future__ import annotations

import sys
from _frozen_importlib_external import PathFinder  # importlib.machinery's, always loaded
from _thread import get_ident
from types import CodeType

from corodash.agent.frames import CO_GENERATOR
from corodash.agent.usercode import CodeFilter

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from importlib.machinery import ModuleSpec
    from typing import Any


def defines_coroutines(code: CodeType) -> bool:
    """Whether ``code`` or any function nested in it is a generator or an ``__next__``."""
    if code.co_flags & CO_GENERATOR or code.co_name == "__next__":
        return True
    return any(
        isinstance(const, CodeType) and defines_coroutines(const) for const in code.co_consts
    )


class UserModuleWatcher:
    """Looks at each user module as it is found, until one defines a generator."""

    def __init__(self, code_filter: CodeFilter, on_found: Callable[[], None]) -> None:
        self.code_filter = code_filter
        self.on_found = on_found

    def install(self) -> None:
        sys.meta_path.insert(0, self)

    def uninstall(self) -> None:
        if self in sys.meta_path:
            sys.meta_path.remove(self)

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> ModuleSpec | None:
        spec = PathFinder.find_spec(fullname, path)
        origin = spec.origin if spec is not None else None
        loader = spec.loader if spec is not None else None
        if origin and origin.endswith(".py") and self._is_user(origin):
            code = loader.get_code(fullname) if hasattr(loader, "get_code") else None
            if code is not None and defines_coroutines(code):
                self.uninstall()
                self.on_found()
        return None  # the normal finders load it as usual

    def _is_user(self, filename: str) -> bool:
        return self.code_filter.wants(compile("", filename, "exec"))


def install_when_needed(tracer: Any, code: CodeType, code_filter: CodeFilter, thread: int) -> None:
    """Generator tracing always on 3.12+; on 3.11 only once the program's own code (``code``,
    then each user module it imports) has generators, on the program's ``thread``."""
    if sys.version_info >= (3, 12) or defines_coroutines(code):
        tracer.install()
        return

    def found() -> None:
        if get_ident() == thread:
            tracer.install()

    UserModuleWatcher(code_filter, found).install()
