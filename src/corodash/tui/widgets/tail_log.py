"""Textual's Log, made cheap to append to many times a second.

- ``Log.write_lines`` grows the widget's virtual size, and ``Widget.virtual_size`` is a
  reactive that asks for a layout of the whole screen: every batch of events cost a reflow of
  every pane (2 to 3 ms of each step's frame). The log's own box never changes size when lines
  arrive, so only its scrollbar needs telling.
- Each write also measured the new lines' width in a thread worker (a worker, its state
  messages and a ``call_from_thread`` per batch). The dashboard writes at most a few hundred
  short lines a batch: measuring them in place costs less.

Both override Log internals of the pinned Textual version.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.style import Style
from textual.geometry import Size
from textual.reactive import Reactive
from textual.strip import Strip
from textual.widgets import Log

MARK = Style(reverse=True)


class TailLog(Log):
    virtual_size = Reactive(Size(0, 0), layout=False)
    marked: int | None = None
    """The line a search found, drawn reversed."""

    def mark(self, line: int | None) -> None:
        """Mark ``line`` (None: no line) and bring it into view."""
        self.marked = line
        if line is not None:
            self.auto_scroll = False
            self.scroll_to(y=max(0, line - self.size.height // 2), animate=False)
        else:
            self.auto_scroll = True
        self.refresh()

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        if self.marked is not None and y + self.scroll_offset.y == self.marked:
            strip = strip.apply_style(MARK)
        return strip

    def watch_virtual_size(self, size: Size) -> None:
        self._scroll_update(size)

    def rewrite_last(self, line: str) -> None:
        """Replace the last line: a progress line's newer state."""
        if not self._lines:
            self.write_lines([line])
            return
        y = len(self._lines) - 1
        self._lines[y] = line
        self._render_line_cache.discard(y)
        self._update_size(self._updates, [line])
        self.refresh_lines(y, 1)

    def _update_size(self, updates: int, lines: list[str]) -> None:  # type: ignore[override]
        if lines:
            process = self._process_line
            self._update_maximum_width(updates, max(cell_len(process(line)) for line in lines))
