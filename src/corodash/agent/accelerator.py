"""The compiled fast paths of ``_speedups.c``, when they were built.

Each stands in front of a Python callback and hands it every case but the common one, so the
agent records the same events with or without them. ``CORODASH_PURE_PYTHON=1`` turns them
off (the tests compare both ways).
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, MutableMapping
    from types import ModuleType
    from typing import Any


def _load() -> ModuleType | None:
    if os.environ.get("CORODASH_PURE_PYTHON") == "1":
        return None
    try:
        from corodash.agent import _speedups
    except ImportError:  # not built: no C compiler where corodash was installed
        return None
    return _speedups


speedups = _load()


GUARD_FRAMES = 0 if speedups is not None else 1
"""Python frames a guard puts between the traced code and the callback: callbacks that find
the traced frame by its depth (``sys._getframe``) look that much further."""

_failure: list[BaseException] = []
"""Without the compiled module: the first error a guarded callback raised."""
_reported = False


def guard(callback: Callable[..., Any]) -> Callable[..., Any]:
    """``callback`` behind a guard that keeps its errors from the program (the first is
    kept for ``take_failure``, and tracing stops) and, compiled, takes a safe stop the gate
    asked for once the callback has returned (see gate.py)."""
    if speedups is not None:
        return speedups.Guard(callback)

    def guarded(*args: Any) -> Any:
        if _failure:
            return None
        try:
            return callback(*args)
        except Exception as error:  # the tracer's own failure, never the program's
            _failure.append(error)
            return None

    return guarded


def take_failure() -> BaseException | None:
    """The error that stopped tracing, once; None while tracing works."""
    global _reported
    if speedups is not None:
        return speedups.take_failure()
    if not _failure or _reported:
        return None
    _reported = True
    return _failure[0]


def address_table() -> MutableMapping[int, int]:
    """An empty table of task ids by object address: the compiled switch hook reads its
    AddressTable without a dict lookup; without the module, a dict."""
    return speedups.AddressTable() if speedups is not None else {}
