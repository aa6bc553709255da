"""The parts of a value a user can open in the frame pane: an object's attributes, a
container's items, each shown by ``safe_repr``.

No program code runs: attributes come from the instance's ``__dict__`` and its slots (no
properties, no ``__getattr__``), items from the built-in containers only.
"""

from __future__ import annotations

import collections
import types

from corodash.agent.values import safe_repr

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

MAX_PARTS = 100
"""Parts listed at most (a part past them is counted, not shown)."""
SEQUENCES = (list, tuple, set, frozenset, collections.deque)
CLOSED = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.MethodType)
"""Values whose attributes are not what a learner opens a value for."""

Part = tuple[str, str, str, bool]
"""(token, name shown, repr, whether it opens in turn)."""


def parts(value: Any) -> list[Part]:
    listed = [(token, name, safe_repr(part), openable(part)) for token, name, part in _parts(value)]
    return listed[:MAX_PARTS]


def part(value: Any, token: str) -> Any:
    """The part ``token`` (``#3``: the fourth item; ``.name``: an attribute) of ``value``;
    KeyError when it has none such (it changed since it was listed)."""
    for known, _name, found in _parts(value):
        if known == token:
            return found
    raise KeyError(f"{token} is gone: the value changed since it was shown")


def openable(value: Any) -> bool:
    if isinstance(value, (dict, *SEQUENCES)):
        return len(value) > 0
    if isinstance(value, CLOSED):
        return False
    return bool(_instance_dict(value)) or bool(_slot_names(value))


def _parts(value: Any) -> list[tuple[str, str, Any]]:
    if isinstance(value, dict):
        items = list(value.items())[: MAX_PARTS + 1]
        return [(f"#{n}", f"[{safe_repr(k)}]", v) for n, (k, v) in enumerate(items)]
    if isinstance(value, SEQUENCES):
        items = list(value)[: MAX_PARTS + 1]
        return [(f"#{n}", f"[{n}]", item) for n, item in enumerate(items)]
    if isinstance(value, CLOSED):
        return []
    found = [(f".{k}", str(k), v) for k, v in _instance_dict(value).items()]
    for name in _slot_names(value):
        try:
            found.append((f".{name}", name, object.__getattribute__(value, name)))
        except AttributeError:  # a slot never set
            continue
    return found


def _instance_dict(value: Any) -> dict[str, Any]:
    try:
        found = object.__getattribute__(value, "__dict__")
    except (AttributeError, TypeError):
        return {}
    return dict(found) if isinstance(found, dict) else {}


def _slot_names(value: Any) -> list[str]:
    names: list[str] = []
    for cls in type(value).__mro__:
        slots = cls.__dict__.get("__slots__", ())
        names += [slots] if isinstance(slots, str) else [s for s in slots if s != "__dict__"]
    return names
