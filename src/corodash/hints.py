"""Advice for errors learners meet when they run old tutorials on a new Python."""

from __future__ import annotations

import os

_MOVED_TO_ABC = (
    "Iterable",
    "Iterator",
    "Generator",
    "Mapping",
    "MutableMapping",
    "Sequence",
    "Callable",
    "Hashable",
    "Set",
    "MutableSet",
    "Awaitable",
    "Coroutine",
)


def removed_name_hint(error: str) -> str | None:
    """Explain the best-known removal: the collections ABCs, gone from Python 3.10 on."""
    for name in _MOVED_TO_ABC:
        if f"cannot import name '{name}' from 'collections'" in error:
            return (
                f"{name} moved to collections.abc in Python 3.3 and was removed from "
                f"collections in 3.10: write 'from collections.abc import {name}'"
            )
    return None


def traceback_report(traceback: str, error: str, script: str) -> tuple[list[str], str | None]:
    """A traceback's lines with the script's folder left out (it is on screen already),
    and a hint for its ``error``, if one is known."""
    folder = os.path.dirname(script) + os.sep
    lines = traceback.replace(folder, "").rstrip("\n").splitlines()
    hint = removed_name_hint(error)
    if hint:
        lines.append(f"hint: {hint}")
    return lines, hint
