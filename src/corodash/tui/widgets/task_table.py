"""The live table of tasks: a line-API widget that draws only the visible rows, so 100,000
tasks cost no more per frame than twenty."""

from __future__ import annotations

import os
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from corodash.model import RunModel, TaskRow
from corodash.tui.task_colours import colour_of

STATE_STYLES = {
    "running": Style(color="green", bold=True),
    "suspended": Style(color="yellow"),
    "created": Style(color="cyan"),
    "not started": Style(color="cyan"),
    "finished": Style(color="grey50"),
    "closed": Style(color="grey50"),
    "dead": Style(color="grey50"),
    "failed": Style(color="red", bold=True),
}
DONE_STYLE = Style(color="grey50")
CURSOR_STYLE = Style(reverse=True)
COMPACT_WIDTH = 64
LABEL_WIDTHS = (8, 28)
"""The task column fits the longest label, within these bounds (and a third of the pane)."""
"""Below this width the kind column goes (the state says most of it)."""


@dataclass
class TaskSelected(Message):
    """The cursor moved onto a task."""

    task: int


class TaskTable(ScrollView, can_focus=True):
    """Rows in task-id order; the cursor picks the task the actions and panes follow."""

    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "cursor(-10)", "Page up", show=False),
        Binding("pagedown", "cursor(10)", "Page down", show=False),
        Binding("home", "cursor(-1000000000)", "First", show=False),
        Binding("end", "cursor(1000000000)", "Last", show=False),
    ]

    cursor: reactive[int] = reactive(-1, always_update=True)
    """Index of the highlighted row; -1 until the user or a pause picks one, so that actions
    go to the newest live task meanwhile."""

    def __init__(self, model: RunModel, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.model = model
        self.ids: list[int] = []
        self.parents: dict[int, str] = {}
        self._longest_label = 4
        """The longest label among ``ids``, measured as tasks arrive."""

    @property
    def selected(self) -> int | None:
        return self.ids[self.cursor] if 0 <= self.cursor < len(self.ids) else None

    def reset(self, model: RunModel) -> None:
        self.model = model
        self.ids = []
        self._longest_label = 4
        self.cursor = -1
        self.sync()

    def sync(self) -> None:
        """Pick up new tasks and redraw (rows are drawn from the model on demand)."""
        if len(self.ids) != len(self.model.tasks):
            known = len(self.ids)
            self.ids = list(self.model.tasks)
            tasks = self.model.tasks
            new = (len(tasks[tid].label) for tid in self.ids[known:])
            self._longest_label = max(self._longest_label, *new)
            self.virtual_size = Size(self.size.width, len(self.ids))
        self.refresh()

    @property
    def label_width(self) -> int:
        low, high = LABEL_WIDTHS
        return max(low, min(self._longest_label, high, self.size.width // 3))

    @property
    def header(self) -> str:
        """The column titles over the rows as they are drawn now."""
        kind = "" if self.compact else f"{'kind':<9} "
        return f"{'id':>5} {'task':<{self.label_width}} {kind}{'state':<11} {'y/s':>5}  where"

    def select(self, task: int, quiet: bool = False) -> bool:
        """Put the cursor on ``task`` (which posts TaskSelected, unless ``quiet``: the caller
        shows the task itself, in the same frame); False if it is unknown."""
        if task not in self.model.tasks:
            return False
        if len(self.ids) != len(self.model.tasks):
            self.sync()
        row = self.ids.index(task)
        if quiet:
            self.set_reactive(TaskTable.cursor, row)
            self.scroll_to_region_if_needed(row)
            self.refresh()
        else:
            self.cursor = row
        return True

    def watch_cursor(self, old: int, new: int) -> None:
        if new < 0:
            return
        self.scroll_to_region_if_needed(new)
        self.refresh()
        selected = self.selected
        if selected is not None:
            self.post_message(TaskSelected(selected))

    def scroll_to_region_if_needed(self, row: int) -> None:
        top = round(self.scroll_offset.y)
        height = max(1, self.size.height)
        if row < top:
            self.scroll_to(y=row, animate=False)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False)

    def action_cursor(self, delta: int) -> None:
        if self.ids:
            start = self.cursor if self.cursor >= 0 else (-1 if delta > 0 else len(self.ids))
            self.cursor = max(0, min(len(self.ids) - 1, start + delta))

    def on_click(self, event: events.Click) -> None:
        row = event.y + round(self.scroll_offset.y)
        if 0 <= row < len(self.ids):
            self.cursor = row

    def render_line(self, y: int) -> Strip:
        row_index = y + round(self.scroll_offset.y)
        width = self.size.width
        if row_index >= len(self.ids):
            return Strip.blank(width)
        row = self.model.tasks.get(self.ids[row_index])
        if row is None:
            return Strip.blank(width)
        strip = Strip(self._segments(row), None)
        if row_index == self.cursor:
            strip = strip.apply_style(CURSOR_STYLE)
        return strip.crop_extend(0, width, None)

    def _segments(self, row: TaskRow) -> list[Segment]:
        base = DONE_STYLE if row.finished else Style()
        width = self.label_width
        counts = f"{row.yields}/{row.switches}"
        segments = [
            Segment(f"{row.id:>5} ", base),
            Segment(
                f"{_clip(row.label, width):<{width}} ",
                base + Style(bold=not row.finished, color=colour_of(row.label) or None),
            ),
            Segment(f"{row.kind:<9} ", base),
            Segment(f"{row.state:<11} ", STATE_STYLES.get(row.state, base)),
            Segment(f"{counts:>5}  ", base),
        ]
        if self.compact:
            del segments[2]
        used = sum(len(segment.text) for segment in segments)
        segments.append(Segment(self._where(row, self.size.width - used), base))
        return segments

    @property
    def compact(self) -> bool:
        return self.size.width < COMPACT_WIDTH

    def _where(self, row: TaskRow, width: int) -> str:
        """File and line (the line number is never cut), then the function and names, as
        much as fits, with an ellipsis where it is cut."""
        place = f"{os.path.basename(row.file)}:{row.line}" if row.file else ""
        if len(place) > width:
            return "…" + place[len(place) - width + 1 :] if width > 1 else ""
        function = f" {row.function}" if row.function and row.function != row.name else ""
        extras = []
        if row.parent is not None and row.kind in ("greenlet", "gevent"):
            parent = self.model.tasks.get(row.parent)
            extras.append(f"parent {parent.label if parent else row.parent}")
        if row.globals:
            extras.append(f"= {', '.join(row.globals)}")
        rest = function + (f"  ({', '.join(extras)})" if extras else "")
        if len(place) + len(rest) <= width:
            return place + rest
        if len(place) + 1 >= width:  # the place alone: a cut would fall in its line number
            return place
        return place + _clip(rest, width - len(place))


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"
