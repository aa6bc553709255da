"""A run's timeline: per task, the stretches it ran, its yields and switches, its blocks.

Pure: built from trace events, for the Timeline pane, the compare view and Chrome traces.
A greenlet runs from a switch into it to the switch out of it; a generator or iterator from
a resume to its yield, return or raise; ``main`` runs from the start until it first switches.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from corodash.protocol import MAIN_TASK


@dataclass
class Lane:
    task: int
    name: str
    kind: str
    spans: list[tuple[float, float]] = field(default_factory=list)
    marks: list[tuple[float, str]] = field(default_factory=list)
    """(t, text): yields, returns, switches away."""
    blocks: list[tuple[float, float, str]] = field(default_factory=list)
    """(start, end, description) of stretches that held the hub up."""


@dataclass
class Timeline:
    lanes: dict[int, Lane]
    end: float

    @property
    def busy(self) -> list[Lane]:
        """The lanes of tasks that ever ran or blocked."""
        return [lane for lane in self.lanes.values() if lane.spans or lane.blocks]


_GENERATOR_END = {"yield", "return", "raise"}


def build_timeline(events: Iterable[dict[str, Any]]) -> Timeline:
    lanes: dict[int, Lane] = {MAIN_TASK: Lane(MAIN_TASK, "main", "greenlet")}
    open_since: dict[int, float] = {MAIN_TASK: 0.0}
    end = 0.0
    for event in events:
        kind, task, t = event["kind"], event["task"], event["t"]
        end = max(end, t)
        if task is None:
            continue
        if kind == "spawn":
            lanes[task] = Lane(task, event.get("label") or event["name"], event["task_kind"])
            continue
        lane = lanes.setdefault(task, Lane(task, event["name"], "?"))
        if kind == "resume":
            open_since.setdefault(task, t)
        elif kind in _GENERATOR_END:
            _close(lane, open_since, t)
            text = f"{kind} {event.get('value') or event.get('error') or ''}".rstrip()
            lane.marks.append((t, text))
        elif kind == "switch":
            origin = lanes.setdefault(event["from"], Lane(event["from"], "?", "?"))
            _close(origin, open_since, t)
            origin.marks.append((t, f"switch to {lane.name}"))
            open_since[task] = t
        elif kind == "block":
            start = t - event["seconds"]
            lane.blocks.append((start, t, _block_text(event)))
    for task, since in list(open_since.items()):
        lanes[task].spans.append((since, end))
    return Timeline(lanes, end)


def _close(lane: Lane, open_since: dict[int, float], t: float) -> None:
    since = open_since.pop(lane.task, None)
    if since is not None:
        lane.spans.append((since, t))


def _block_text(event: dict[str, Any]) -> str:
    call = event.get("call") or "busy code"
    return f"{call} at {event['where']} held the hub for {event['seconds']:.3f}s"
