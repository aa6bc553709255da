"""Advice for errors learners meet when they run old tutorials on a new Python."""

from __future__ import annotations

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
