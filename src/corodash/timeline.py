"""A run's timeline: per task, the stretches it ran, its yields and switches, its blocks.

Pure: built from trace events, for the Timeline pane, the compare view and Chrome traces.
A greenlet runs from a switch into it to the switch out of it; a generator or iterator from
a resume to its yield, return or raise; ``main`` runs from the start until it first switches.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

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


class TimelineSink(Protocol):
    """What a timeline is made of, as ``TimelineFolder`` finds it in the events."""

    def lane(self, lane: Lane) -> None: ...
    def span(self, lane: Lane, start: float, end: float) -> None: ...
    def mark(self, lane: Lane, t: float, text: str) -> None: ...
    def block(self, lane: Lane, start: float, end: float, text: str) -> None: ...


class TimelineFolder:
    """Folds trace events, as they stream by, into lanes and their spans, marks and
    blocks, told to a sink: the Timeline pane keeps them (``build_timeline``), a Chrome
    export writes them out at once (chrome_trace.py)."""

    def __init__(self, sink: TimelineSink) -> None:
        self.sink = sink
        self.lanes: dict[int, Lane] = {}
        self.open_since: dict[int, float] = {MAIN_TASK: 0.0}
        self.end = 0.0
        self._new_lane(MAIN_TASK, "main", "greenlet")

    def _new_lane(self, task: int, name: str, kind: str) -> Lane:
        lane = self.lanes[task] = Lane(task, name, kind)
        self.sink.lane(lane)
        return lane

    def _lane(self, task: int, name: str) -> Lane:
        lane = self.lanes.get(task)
        return lane if lane is not None else self._new_lane(task, name, "?")

    def feed(self, events: Iterable[dict[str, Any]]) -> None:
        sink = self.sink
        open_since = self.open_since
        for event in events:
            kind, task, t = event["kind"], event["task"], event["t"]
            self.end = max(self.end, t)
            if task is None:
                continue
            if kind == "spawn":
                self._new_lane(task, event.get("label") or event["name"], event["task_kind"])
                continue
            lane = self._lane(task, event["name"])
            if kind == "switch":
                origin = self._lane(event["from"], "?")
                self._close(origin, t)
                sink.mark(origin, t, f"switch to {lane.name}")
                open_since[task] = t
            elif kind == "resume":
                open_since.setdefault(task, t)
            elif kind in _GENERATOR_END:
                self._close(lane, t)
                text = f"{kind} {event.get('value') or event.get('error') or ''}".rstrip()
                sink.mark(lane, t, text)
            elif kind == "block":
                sink.block(lane, t - event["seconds"], t, _block_text(event))

    def _close(self, lane: Lane, t: float) -> None:
        since = self.open_since.pop(lane.task, None)
        if since is not None:
            self.sink.span(lane, since, t)

    def finish(self) -> float:
        """Close what still runs at the last event's time; that time."""
        for task, since in list(self.open_since.items()):
            self.sink.span(self.lanes[task], since, self.end)
        self.open_since.clear()
        return self.end


class _Kept:
    """Keeps everything in the lanes themselves."""

    def lane(self, lane: Lane) -> None:
        pass

    def span(self, lane: Lane, start: float, end: float) -> None:
        lane.spans.append((start, end))

    def mark(self, lane: Lane, t: float, text: str) -> None:
        lane.marks.append((t, text))

    def block(self, lane: Lane, start: float, end: float, text: str) -> None:
        lane.blocks.append((start, end, text))


def build_timeline(events: Iterable[dict[str, Any]]) -> Timeline:
    folder = TimelineFolder(_Kept())
    folder.feed(events)
    end = folder.finish()
    return Timeline(folder.lanes, end)


def _block_text(event: dict[str, Any]) -> str:
    call = event.get("call") or "busy code"
    return f"{call} at {event['where']} held the hub for {event['seconds']:.3f}s"
