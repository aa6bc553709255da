"""The compiled fast paths of ``_speedups.c``, when they were built.

Each stands in front of a Python callback and hands it every case but the common one, so the
agent records the same events with or without them. ``CORODASH_PURE_PYTHON=1`` turns them
off (the tests compare both ways).
"""

from __future__ import annotations

import os
from collections.abc import Callable
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


def guard(callback: Callable[..., Any]) -> Callable[..., Any]:
    """``callback`` behind a compiled guard that takes a safe stop the gate asked for once
    the callback has returned (see gate.py); the callback itself without the module."""
    return callback if speedups is None else speedups.Guard(callback)
