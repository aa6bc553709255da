"""The compiled fast paths of ``_speedups.c``, when they were built.

Each stands in front of a Python callback and hands it every case but the common one, so the
agent records the same events with or without them. ``CORODASH_PURE_PYTHON=1`` turns them
off (the tests compare both ways).
"""

from __future__ import annotations

import os
from types import ModuleType


def _load() -> ModuleType | None:
    if os.environ.get("CORODASH_PURE_PYTHON") == "1":
        return None
    try:
        from corodash.agent import _speedups
    except ImportError:  # not built: no C compiler where corodash was installed
        return None
    return _speedups


speedups = _load()
