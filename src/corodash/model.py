"""The run as the controller sees it: a pure reducer from trace events to task rows.

No process, no UI: ``RunModel.apply(event)`` folds one event in; ``merge_snapshot`` adds
what only the agent can see (live state, location, global names).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from corodash.protocol import MAIN_TASK, YIELD

TYPE_CHECKING = False
if TYPE_CHECKING:
    from corodash.records import WholeRun

FINISHED_STATES = frozenset({"finished", "failed", "closed", "dead"})


@dataclass
class TaskRow:
    id: int
    name: str
    kind: str
    state: str
    parent: int | None = None
    yields: int = 0
    switches: int = 0
    file: str | None = None
    line: int | None = None
    function: str | None = None
    globals: list[str] = field(default_factory=list)
    last_value: str | None = None
    label: str = ""
    """The one name every pane shows it by (``worker('baker')``), given at its spawn."""
    locals: dict[str, str] | None = None
    """Its locals as last recorded (``--record-locals``: at each yield and switch)."""
    locals_seq: int | None = None
    """The event after which they were recorded."""

    def __post_init__(self) -> None:
        self.label = self.label or self.name

    @property
    def finished(self) -> bool:
        return self.state in FINISHED_STATES

    def as_dict(self) -> dict[str, Any]:
        """The row as ``repl``'s answers give it."""
        return {
            "id": self.id,
            "name": self.name,
            "label": self.label,
            "kind": self.kind,
            "state": self.state,
            "globals": self.globals,
            "parent": self.parent,
            "yields": self.yields,
            "switches": self.switches,
            "file": self.file,
            "line": self.line,
            "function": self.function,
        }


_FIRST_STATE = {
    "generator": "created",
    "iterator": "created",
    "greenlet": "not started",
    "gevent": "not started",
}


@dataclass
class RunModel:
    tasks: dict[int, TaskRow] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    end: dict[str, Any] | None = None
    patches: list[tuple[str, bool]] = field(default_factory=list)
    last_t: float = 0.0
    iterators: set[int] = field(default_factory=set)
    """Ids of iterator tasks: their events are told in the terms of ``__next__``."""

    def __post_init__(self) -> None:
        self.tasks.setdefault(MAIN_TASK, TaskRow(MAIN_TASK, "main", "greenlet", "running"))

    def copy(self) -> RunModel:
        """A copy that later events do not change (history keeps one every few thousand)."""
        return RunModel(
            {tid: replace(row, globals=list(row.globals)) for tid, row in self.tasks.items()},
            Counter(self.counts),
            self.end,
            list(self.patches),
            self.last_t,
            set(self.iterators),
        )

    def apply_all(self, events: list[dict[str, Any]]) -> None:
        for event in events:
            self.apply(event)

    def apply(self, event: dict[str, Any]) -> None:
        kind = event["kind"]
        self.counts[kind] += 1
        self.last_t = event["t"]
        task = self.tasks.get(event["task"]) if event["task"] is not None else None
        if kind == "spawn":
            if event["task_kind"] == "iterator":
                self.iterators.add(event["task"])
            self.tasks[event["task"]] = TaskRow(
                event["task"],
                event["name"],
                event["task_kind"],
                _FIRST_STATE.get(event["task_kind"], "created"),
                event.get("parent"),
                file=event.get("file"),
                line=event.get("line"),
                function=_function_at_spawn(event),
                label=event.get("label") or event["name"],
            )
        elif task is None:
            if kind == "end":
                self.end = event
            elif kind == "patch":
                self.patches.append((event["what"], event["applied"]))
        elif kind == "resume":
            task.state = "running"
        elif kind == "yield":
            task.state = "suspended"
            task.yields += 1
            task.last_value = event["value"]
            task.line = event.get("line") or task.line
        elif kind == "return":
            task.state = "dead" if task.kind in ("greenlet", "gevent") else "finished"
            task.last_value = event["value"]
        elif kind == "raise":
            task.state = "closed" if event["error"].startswith("GeneratorExit") else "failed"
        elif kind == "switch":
            self._switch(event, task)
        elif kind == "locals":
            task.locals, task.locals_seq = event["locals"], event["seq"]
            task.file, task.line, task.function = event["file"], event["line"], event["function"]
        elif kind == "patch":
            self.patches.append((event["what"], event["applied"]))
        elif kind == "end":
            self.end = event
            main = self.tasks[MAIN_TASK]
            main.state = "finished" if event["status"] == "finished" else "failed"

    def apply_switches(self, targets: list[int], origins: list[int], last_t: float) -> None:
        """A run of switches and nothing else, folded at once (history reads recordings
        so): the same result as applying each, since a task's state is set by the last
        switch that touches it, and only what ``apply`` does to known targets counts."""
        tasks = self.tasks
        self.counts["switch"] += len(targets)
        self.last_t = last_t
        into = set(targets)
        if not tasks.keys() >= into:  # a switch into an unknown task changes nothing
            kept = [(t, o) for t, o in zip(targets, origins, strict=True) if t in tasks]
            targets, origins = [t for t, _ in kept], [o for _, o in kept]
            into = set(targets)
        # A flood is mostly a few tasks switching: a count per task beats a Counter then.
        hits = Counter(targets) if len(into) > 8 else {tid: targets.count(tid) for tid in into}
        for tid, count in hits.items():
            tasks[tid].switches += count
        last_in, last_out = _last_places(targets, into), _last_places(origins)
        for tid, out in last_out.items():
            row = tasks.get(tid)
            into = last_in.get(tid, -1)
            # Switched into within the run (so running) before it left, or not finished.
            if row is not None and into < out and (into >= 0 or not row.finished):
                row.state = "suspended"
        for tid, into in last_in.items():
            if last_out.get(tid, -1) <= into:
                tasks[tid].state = "running"

    def apply_whole(self, run: WholeRun) -> None:
        """A run of whole records (switches, plain resumes, small yields) folded at once:
        the same result as applying each of its events."""
        if run.targets:
            self.apply_switches(run.targets, run.origins, run.last_t)
        self.last_t = run.last_t
        if run.resumes:
            self.counts["resume"] += run.resumes
        if run.yields:
            self.counts["yield"] += sum(run.yields.values())
        for tid, (last_code, value, line) in run.generators.items():
            task = self.tasks.get(tid)
            if task is None:
                continue
            task.yields += run.yields[tid]
            if value is not None:
                task.last_value = value
                task.line = line or task.line
            task.state = "suspended" if last_code == YIELD else "running"

    def _switch(self, event: dict[str, Any], target: TaskRow) -> None:
        origin = self.tasks.get(event["from"])
        if origin is not None and not origin.finished:
            origin.state = "suspended"
        target.state = "running"
        target.switches += 1

    def merge_snapshot(self, snapshot: list[dict[str, Any]]) -> None:
        """Fold in the agent's view: live state, location, names, and tasks found by scans."""
        for info in snapshot:
            row = self.tasks.get(info["id"])
            if row is None:
                row = self.tasks[info["id"]] = TaskRow(
                    info["id"], info["name"], info["kind"], info.get("state") or "created"
                )
            row.globals = list(info.get("globals") or [])
            row.parent = info.get("parent", row.parent)
            for key in ("file", "line", "function"):
                if info.get(key) is not None:
                    setattr(row, key, info[key])
            live = info.get("state")
            if live and not (row.finished and live in ("closed", "dead")):
                row.state = live

    @property
    def labels(self) -> TaskLabels:
        """Task id -> label, looked up when asked (no copy of 100,000 names per batch)."""
        return TaskLabels(self.tasks, self.iterators)

    def resolve(self, ref: str) -> TaskRow | None:
        """A task id, a global variable name, a label, or a task name (the newest live one)."""
        ref = ref.strip()
        if ref.isdigit():
            return self.tasks.get(int(ref))
        by_global = [t for t in self.tasks.values() if ref in t.globals or t.label == ref]
        if by_global:
            return by_global[-1]
        named = [t for t in self.tasks.values() if t.name == ref]
        live = [t for t in named if not t.finished]
        return (live or named or [None])[-1]


def _last_places(tids: list[int], distinct: set[int] | None = None) -> dict[int, int]:
    """Where each task id occurs last (few ids, many places: searched from the end);
    ``distinct``: the ids, when known."""
    backwards = tids[::-1]
    last = len(tids) - 1
    return {tid: last - backwards.index(tid) for tid in distinct or set(tids)}


class TaskLabels(Mapping[int, str]):
    """A read-only view of the tasks' labels."""

    def __init__(self, tasks: dict[int, TaskRow], iterators: set[int]) -> None:
        self._tasks = tasks
        self.iterators = iterators

    def __getitem__(self, tid: int) -> str:
        return self._tasks[tid].label

    def __iter__(self) -> Iterator[int]:
        return iter(self._tasks)

    def __len__(self) -> int:
        return len(self._tasks)


def _function_at_spawn(event: dict[str, Any]) -> str | None:
    """The function a new task is in: its own (an iterator's ``__next__``), when known."""
    if event.get("file") is None:
        return None
    return "__next__" if event["task_kind"] == "iterator" else event["name"]
