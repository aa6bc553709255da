"""What the caller sent into a generator it resumed.

Neither ``sys.settrace`` nor ``sys.monitoring`` says which value a resume carries. The
caller's frame does: its current instruction is the call that resumed the generator. A
``gen.send(arg)`` whose argument is a constant or a plain name can be read back from the
bytecode and the caller's variables; ``next()``, ``for`` and ``yield from`` send None.
The analysis is cached per call site, so a resume costs one dict lookup; ``dis`` is loaded
at the first one (a program without generators never needs it).
"""

from __future__ import annotations

from corodash.agent.values import safe_repr

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import CodeType, FrameType

NEXT, SEND_CONST, SEND_NAME, SEND_UNKNOWN, THROW, CLOSE = range(6)
UNKNOWN_VALUE = "<not recorded>"

_LOADS = {
    "LOAD_FAST",
    "LOAD_NAME",
    "LOAD_GLOBAL",
    "LOAD_DEREF",
    "LOAD_FAST_CHECK",
    "LOAD_FAST_BORROW",
    "LOAD_CLASSDEREF",
    "LOAD_FROM_DICT_OR_DEREF",
}
_SKIPPED = {"PRECALL", "CACHE", "KW_NAMES", "PUSH_NULL", "EXTENDED_ARG"}
_ATTRIBUTE = {"LOAD_ATTR", "LOAD_METHOD"}
_UNARY_METHODS = {"send": SEND_UNKNOWN, "throw": THROW, "close": CLOSE}


class ResumeCause:
    """Reads what a caller sent into the generator it resumed."""

    def __init__(self) -> None:
        self._sites: dict[tuple[CodeType, int], tuple[int, object]] = {}
        self.driven: tuple[int, object] | None = None
        """Set by corodash's own drive commands, which know exactly what they send."""

    def of(self, caller: FrameType | None) -> tuple[int, object]:
        """(kind, detail): detail is the sent value's repr for SEND kinds."""
        driven = self.driven
        if driven is not None:
            self.driven = None
            return driven
        if caller is None:
            return NEXT, None
        key = (caller.f_code, caller.f_lasti)
        site = self._sites.get(key)
        if site is None:
            site = self._sites[key] = _analyse(caller.f_code, caller.f_lasti)
        kind, detail = site
        if kind == SEND_CONST:
            return SEND_CONST, detail
        if kind == SEND_NAME:
            return SEND_NAME, _lookup(caller, str(detail))
        return kind, detail


def discarding_resumes(code: CodeType) -> frozenset[int]:
    """Offsets of the RESUMEs where a generator only drops what it was sent (a bare ``yield``).

    ``sys.monitoring`` resumes there skip the caller analysis (a throw is its own event
    there), so a ``for`` loop over such a generator pays nothing extra.
    """
    instructions = _instructions(code)
    triples = zip(instructions, instructions[1:], instructions[2:], strict=False)
    return frozenset(
        resume.offset
        for yielded, resume, after in triples
        if (yielded.opname, resume.opname, after.opname) == ("YIELD_VALUE", "RESUME", "POP_TOP")
    )


def _instructions(code: CodeType) -> list:
    """``code``'s instructions, without those that only pad or prefix others."""
    import dis

    return [i for i in dis.get_instructions(code) if i.opname not in _SKIPPED]


def _lookup(frame: FrameType, name: str) -> str:
    for scope in (frame.f_locals, frame.f_globals, frame.f_builtins):
        if name in scope:
            return safe_repr(scope[name])
    return UNKNOWN_VALUE


def _analyse(code: CodeType, lasti: int) -> tuple[int, object]:
    """Classify the call site at ``lasti``: which generator method (if any) it calls."""
    instructions = _instructions(code)
    index = next((n for n, i in enumerate(instructions) if i.offset >= lasti), None)
    if index is None or instructions[index].opname != "CALL":
        return NEXT, None  # for loops and yield from: nothing sent
    for back in range(index - 1, max(index - 8, -1), -1):
        method = instructions[back]
        if method.opname in _ATTRIBUTE and method.argval in _UNARY_METHODS:
            break
    else:
        return NEXT, None  # next(), list(), sorted()...: nothing sent
    kind = _UNARY_METHODS[method.argval]
    if kind != SEND_UNKNOWN:
        return kind, None
    if index - back == 2:
        argument = instructions[back + 1]
        if argument.opname == "LOAD_CONST":
            return SEND_CONST, safe_repr(argument.argval)
        if argument.opname in _LOADS:
            return SEND_NAME, argument.argval
    return SEND_UNKNOWN, UNKNOWN_VALUE
