"""Lanes of a timeline, one row per task: where it ran, where it blocked the hub.

A line-API widget: a row is drawn for the visible columns only, each column a slice of time
(``+``/``-`` zoom, ``←``/``→`` scroll). Green where the task ran, red where it held the hub
up, a dot where it yielded or switched away.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from corodash.timeline import Lane, Timeline
from corodash.tui.task_colours import colour_of

LABEL = 14
RUN = Style(color="green")
BLOCK = Style(color="red", bold=True)
MARK = Style(color="yellow")
IDLE = Style(color="grey30")
AXIS = Style(color="grey50")
NOW = Style(color="magenta", bold=True)


class TimelineView(ScrollView, can_focus=True):
    BINDINGS = [
        Binding("plus,equals_sign", "zoom(0.5)", "zoom in", show=False),
        Binding("minus", "zoom(2)", "zoom out", show=False),
        Binding("left", "pan(-1)", "earlier", show=False),
        Binding("right", "pan(1)", "later", show=False),
    ]

    scale: reactive[float] = reactive(0.0)
    """Seconds per column; 0 fits the whole run in the width."""
    origin: reactive[float] = reactive(0.0)
    """Time at the left edge."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.timeline = Timeline({}, 0.0)
        self.lanes: list[Lane] = []
        self._starts: dict[int, list[float]] = {}
        self._marks: dict[int, list[float]] = {}
        self.span = 0.0
        """With compare views: the common time span, so two timelines share a scale."""
        self.cursor: float | None = None
        """History: the time of the event looked at, drawn as a line across the lanes."""

    def show(self, timeline: Timeline, span: float | None = None) -> None:
        self.timeline = timeline
        self.lanes = timeline.busy
        self._starts = {lane.task: [start for start, _ in lane.spans] for lane in self.lanes}
        self._marks = {lane.task: [t for t, _ in lane.marks] for lane in self.lanes}
        self.span = span if span is not None else timeline.end
        self.virtual_size = Size(self.size.width, len(self.lanes) + 1)
        self.refresh()

    @property
    def columns(self) -> int:
        return max(1, self.size.width - LABEL - 1)

    @property
    def seconds_per_column(self) -> float:
        return self.scale or max(self.span, 1e-6) / self.columns

    def action_zoom(self, factor: float) -> None:
        self.scale = self.seconds_per_column * factor

    def action_pan(self, direction: int) -> None:
        step = self.seconds_per_column * self.columns / 4
        self.origin = max(0.0, min(self.span, self.origin + direction * step))

    def watch_scale(self) -> None:
        self.refresh()

    def watch_origin(self) -> None:
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        row = y + round(self.scroll_offset.y)
        if row == 0:
            return Strip([Segment(self._axis(), AXIS)]).crop_extend(0, width, None)
        if row > len(self.lanes):
            return Strip.blank(width)
        lane = self.lanes[row - 1]
        label = Segment(f"{lane.name[: LABEL - 1]:<{LABEL - 1}}", _lane_style(lane.name))
        return Strip([label, Segment("│", AXIS), *self._cells(lane)]).crop_extend(0, width, None)

    def _axis(self) -> str:
        per = self.seconds_per_column
        ticks = []
        for column in range(0, self.columns, 10):
            ticks.append(f"{self.origin + column * per:<10.3f}"[:10])
        return f"{'t (s)':<{LABEL - 1}}│" + "".join(ticks)

    def _cells(self, lane: Lane) -> list[Segment]:
        per, origin = self.seconds_per_column, self.origin
        starts, marks = self._starts[lane.task], self._marks[lane.task]
        segments = []
        for column in range(self.columns):
            left = origin + column * per
            right = left + per
            style, char = IDLE, "·"
            if _overlaps(lane.spans, starts, left, right):
                style, char = RUN, "█"
            if any(start < right and end > left for start, end, _ in lane.blocks):
                style, char = BLOCK, "█"
            elif style is IDLE and bisect_right(marks, right) > bisect_left(marks, left):
                style, char = MARK, "╵"
            if self.cursor is not None and left <= self.cursor < right:
                style, char = NOW, "┃"
            segments.append(Segment(char, style))
        return segments


def _overlaps(
    spans: list[tuple[float, float]], starts: list[float], left: float, right: float
) -> bool:
    index = bisect_left(starts, right)
    return any(spans[i][1] > left for i in range(max(0, index - 3), index))


def _lane_style(name: str) -> Style:
    colour = colour_of(name)
    return Style(color=colour) if colour else AXIS
