"""Patched against unpatched: what gevent's monkey patching changes in one program.

Pure functions over two traces: wall time, switches, the blocking calls grouped by place,
the speed-up, one sentence that says what happened, and the common mistakes seen.
"""

from __future__ import annotations

import ast
import os
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RunSummary:
    mode: str
    wall: float
    switches: int
    blocks: list[dict[str, Any]]
    exit: Any
    status: str
    tasks: int
    """gevent Greenlets and greenlets, the hub left out."""
    events: list[dict[str, Any]] = field(repr=False, default_factory=list)
    failure: str | None = None
    """Why this run cannot be compared: its error, its timeout, a task that raised."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "wall": round(self.wall, 4),
            "switches": self.switches,
            "blocks": self.blocks,
            "exit": self.exit,
            "status": self.status,
            "failure": self.failure,
        }

    @property
    def blocked_seconds(self) -> float:
        return sum(block["seconds"] for block in self.blocks)


@dataclass
class Comparison:
    patched: RunSummary
    unpatched: RunSummary
    speedup: float | None
    """None when either run failed: a failed run's time says nothing."""
    sentence: str
    hints: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "patched": self.patched.as_dict(),
            "unpatched": self.unpatched.as_dict(),
            "speedup": round(self.speedup, 3) if self.speedup is not None else None,
            "summary": self.sentence,
            "hints": self.hints,
        }

    @property
    def failed(self) -> bool:
        return self.speedup is None

    @property
    def timed_out(self) -> bool:
        return "timeout" in (self.patched.status, self.unpatched.status)


QUIET_ENDINGS = ("GeneratorExit", "GreenletExit")
"""Exceptions that end a task as it was asked to, not a failure."""


def summarize(mode: str, events: list[dict[str, Any]], timeout: float | None = None) -> RunSummary:
    end = events[-1] if events and events[-1]["kind"] == "end" else {}
    patches = [e["t"] for e in events if e["kind"] == "patch"]
    started = max([end.get("started") or 0.0, *patches])
    wall = max(0.0, (end.get("t") or 0.0) - started)
    switches = sum(1 for e in events if e["kind"] == "switch")
    tasks = sum(
        1
        for e in events
        if e["kind"] == "spawn" and e["task_kind"] in ("gevent", "greenlet") and e["name"] != "hub"
    )
    return RunSummary(
        mode,
        wall,
        switches,
        group_blocks(events),
        end.get("exit_code"),
        end.get("status", "?"),
        tasks,
        events,
        failure(events, end, timeout),
    )


def failure(events: list[dict[str, Any]], end: dict[str, Any], timeout: float | None) -> str | None:
    """Why a run's time cannot be compared, or None: it did not finish, or one of its
    greenlets died of an exception (gevent prints it and the program goes on)."""
    status = end.get("status")
    if not end:
        return "the run has no end"
    if status == "timeout":
        return f"stopped by the {timeout:g} s timeout" if timeout else "stopped by the timeout"
    if status != "finished":
        return end.get("error") or f"{status}, exit status {end.get('exit_code')}"
    spawns = {e["task"]: e for e in events if e["kind"] == "spawn"}
    for event in events:
        spawn = spawns.get(event["task"])
        if (
            event["kind"] == "raise"
            and spawn is not None
            and spawn["task_kind"] in ("greenlet", "gevent")
            and not event["error"].startswith(QUIET_ENDINGS)
        ):
            return f"{spawn.get('label', event['name'])} raised {event['error']}"
    return None


def group_blocks(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Blocks by place and call, the costliest first."""
    groups: dict[tuple[str, str | None], list[float]] = defaultdict(list)
    for event in events:
        if event["kind"] == "block":
            groups[event["where"], event.get("call")].append(event["seconds"])
    ordered = sorted(groups.items(), key=lambda item: -sum(item[1]))
    return [
        {"where": where, "call": call, "count": len(times), "seconds": round(sum(times), 4)}
        for (where, call), times in ordered
    ]


def describe_block(block: dict[str, Any]) -> str:
    """``time.sleep at demo.py:12, 15 times, 7.5 s in all``"""
    call = block["call"] or "busy Python code"
    times = "once" if block["count"] == 1 else f"{block['count']} times"
    return f"{call} at {_short(block['where'])}, {times}, {block['seconds']:.2f} s in all"


def compare(
    patched: RunSummary, unpatched: RunSummary, source: str | None = None, filename: str = ""
) -> Comparison:
    hints = common_mistakes(patched, unpatched, source, filename)
    if patched.failure or unpatched.failure:
        return Comparison(patched, unpatched, None, _failed_sentence(patched, unpatched), hints)
    speedup = unpatched.wall / patched.wall if patched.wall > 0 else 1.0
    return Comparison(patched, unpatched, speedup, _sentence(patched, unpatched, speedup), hints)


def _failed_sentence(patched: RunSummary, unpatched: RunSummary) -> str:
    if patched.failure == unpatched.failure:
        if patched.failure.startswith("stopped"):
            return f"No speed-up: both runs were {patched.failure}."
        return f"No speed-up: both runs failed: {patched.failure}."
    said = [
        f"the {run.mode} run "
        + (f"was {run.failure}" if run.failure.startswith("stopped") else f"failed ({run.failure})")
        for run in (patched, unpatched)
        if run.failure
    ]
    return f"No speed-up: {' and '.join(said)}."


def _sentence(patched: RunSummary, unpatched: RunSummary, speedup: float) -> str:
    tasks = max(patched.tasks, unpatched.tasks)
    who = f"the {tasks} tasks" if tasks > 1 else "the program"
    if unpatched.blocks and speedup >= 1.5:
        top = unpatched.blocks[0]
        call = top["call"] or "busy code"
        return (
            f"Unpatched, {call} blocked the hub: {who} ran one after another "
            f"({unpatched.wall:.2f} s against {patched.wall:.2f} s patched, "
            f"{speedup:.1f}x faster patched)."
        )
    if patched.blocks and speedup < 1.25:
        top = patched.blocks[0]
        call = top["call"] or "busy Python code"
        return (
            f"Patching does not help here: {call} at {_short(top['where'])} keeps the "
            f"CPU busy even patched, and no monkey patch makes it cooperative "
            f"(speed-up {speedup:.2f}x)."
        )
    if not unpatched.blocks and not patched.blocks:
        return f"Neither run blocked the hub, so patching changes little (speed-up {speedup:.2f}x)."
    return (
        f"Patched {patched.wall:.2f} s, unpatched {unpatched.wall:.2f} s "
        f"(speed-up {speedup:.2f}x); the blocking calls below say where time went."
    )


def common_mistakes(
    patched: RunSummary, unpatched: RunSummary, source: str | None, filename: str
) -> list[str]:
    hints = []
    if source:
        hints.extend(repeated_joins(source, filename))
    for run in (patched, unpatched):
        warnings = [
            e["text"]
            for e in run.events
            if e["kind"] == "output" and "MonkeyPatchWarning" in e["text"]
        ]
        if warnings:
            hints.append(
                f"gevent warned ({run.mode}): {warnings[0].strip()} Call "
                "monkey.patch_all() first, before importing threading, socket or "
                "anything that imports them."
            )
            break
    for run in (patched, unpatched):
        if run.status == "timeout" and run.blocks:
            top = run.blocks[0]
            hints.append(
                f"A greenlet never yields ({run.mode}): {describe_block(top)}, "
                "until the run was stopped. Nothing else can run until it waits on "
                "gevent (sleep, I/O, join)."
            )
            break
    return hints


def repeated_joins(source: str, filename: str = "") -> list[str]:
    """``g1.join()`` written several times in a row: it waits for g1 only."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    hints = []
    for body in _bodies(tree):
        run: list[ast.stmt] = []
        for statement in [*body, None]:
            name = _joined_name(statement)
            if run and name == _joined_name(run[0]):
                run.append(statement)  # type: ignore[arg-type]
                continue
            if len(run) > 1:
                target = _joined_name(run[0])
                hints.append(
                    f"{target}.join() is called {len(run)} times in a row at "
                    f"{os.path.basename(filename) or 'line'}:{run[0].lineno}: it waits for "
                    f"{target} only. Join each greenlet, or use gevent.joinall([...])."
                )
            run = [statement] if name else []  # type: ignore[list-item]
    return hints


def _bodies(tree: ast.AST) -> list[list[ast.stmt]]:
    return [
        node.body
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.For | ast.While | ast.With)
    ]


def _joined_name(statement: ast.stmt | None) -> str | None:
    if not isinstance(statement, ast.Expr) or not isinstance(statement.value, ast.Call):
        return None
    func = statement.value.func
    if isinstance(func, ast.Attribute) and func.attr == "join" and isinstance(func.value, ast.Name):
        return func.value.id
    return None


def _short(where: str) -> str:
    path, _, line = where.rpartition(":")
    return f"{os.path.basename(path)}:{line}" if path else where
