"""Run a function right after a module is first imported (greenlet, gevent, gevent.monkey).

corodash hooks into greenlet and gevent only if the program uses them, so a generator-only
program never pays for importing them.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from importlib.machinery import ModuleSpec
    from types import ModuleType
    from typing import Any


class _HookedLoader:
    def __init__(self, loader: Any, hook: Callable[[ModuleType], None]) -> None:
        self._loader = loader
        self._hook = hook

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        self._hook(module)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)


class PostImportHooks:
    """A meta path finder that wraps the loader of each watched module. (No
    ``importlib.abc`` base: importing it costs the agent's start-up a fifth.)"""

    def __init__(self) -> None:
        self._hooks: dict[str, Callable[[ModuleType], None]] = {}
        self._finding: set[str] = set()

    def install(self) -> None:
        sys.meta_path.insert(0, self)

    def when_imported(self, name: str, hook: Callable[[ModuleType], None]) -> None:
        """Call ``hook(module)`` once ``name`` is imported (now, if it already is)."""
        if name in sys.modules:
            hook(sys.modules[name])
        else:
            self._hooks[name] = hook

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> ModuleSpec | None:
        hook = self._hooks.get(fullname)
        if hook is None or fullname in self._finding:
            return None
        import importlib.util  # when greenlet or gevent is imported, not before

        self._finding.add(fullname)
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            self._finding.discard(fullname)
        if spec is None or spec.loader is None:
            return None
        del self._hooks[fullname]
        spec.loader = _HookedLoader(spec.loader, hook)
        return spec
