"""Where a continued program stops by itself: at a task's next event (run-to), a task's
yield, a switch into a task, a source line, or when a greenlet held gevent's hub up.

Event breakpoints are matched by the gate against each event's tuple while the program
continues; line breakpoints are switched on in the tracer for the code that holds the line
(see ``line_breaks``); a block is found by the channel's thread, which asks for a pause.
"""

from __future__ import annotations

from corodash.protocol import RAISE, RESUME, RETURN, SWITCH, YIELD

KINDS = ("task", "yield", "switch", "line", "block")
TASK_EVENTS = frozenset({RESUME, YIELD, RETURN, RAISE, SWITCH})
"""Events that are a task's own: run-to stops at the first of them."""


class Break:
    def __init__(
        self,
        id: int,
        kind: str,
        task: int | None = None,
        file: str | None = None,
        line: int | None = None,
        once: bool = False,
    ) -> None:
        self.id = id
        self.kind = kind
        self.task = task
        self.file = file
        self.line = line
        self.enabled = True
        self.once = once
        """Run-to: the breakpoint goes once it is hit."""
        self.hits = 0

    def as_dict(self) -> dict:
        """As ``breaks`` and a stop's ``break`` report it (docs/protocol.md)."""
        return dict(vars(self))

    def matches(self, event: tuple) -> bool:
        code, task = event[0], event[2]
        if self.kind == "task":
            return task == self.task and code in TASK_EVENTS
        if self.kind == "yield":
            return task == self.task and code == YIELD
        if self.kind == "switch":
            return task == self.task and code == SWITCH
        return False


class Breakpoints:
    def __init__(self) -> None:
        self.items: dict[int, Break] = {}
        self._next = 1

    def add(
        self,
        kind: str,
        task: int | None = None,
        file: str | None = None,
        line: int | None = None,
        once: bool = False,
    ) -> Break:
        if kind not in KINDS:
            raise ValueError(f"no breakpoint kind {kind!r}: one of {', '.join(KINDS)}")
        found = Break(self._next, kind, task, file, line, once=once)
        self._next += 1
        self.items[found.id] = found
        return found

    def remove(self, ident: int) -> Break:
        return self.items.pop(self._known(ident))

    def toggle(self, ident: int) -> Break:
        found = self.items[self._known(ident)]
        found.enabled = not found.enabled
        return found

    def _known(self, ident: int) -> int:
        if ident not in self.items:
            raise KeyError(f"no breakpoint {ident}: breaks lists them")
        return ident

    def enabled(self, kind: str) -> list[Break]:
        return [b for b in self.items.values() if b.enabled and b.kind == kind]

    @property
    def on_events(self) -> bool:
        """Some enabled breakpoint is matched against events: a continued program must
        look at each of its events."""
        return any(b.enabled and b.kind in ("task", "yield", "switch") for b in self.items.values())

    def hit(self, event: tuple) -> Break | None:
        """The breakpoint ``event`` hits, counted (a run-to goes), or None. On the traced
        thread, while the command thread may add or remove one: it reads a copy."""
        for found in tuple(self.items.values()):
            if found.enabled and found.matches(event):
                return self.count(found)
        return None

    def count(self, found: Break) -> Break:
        found.hits += 1
        if found.once:
            self.items.pop(found.id, None)
        return found

    def listing(self) -> list[dict]:
        return [b.as_dict() for b in self.items.values()]
