"""Textual's Log, made cheap to append to many times a second.

- ``Log.write_lines`` grows the widget's virtual size, and ``Widget.virtual_size`` is a
  reactive that asks for a layout of the whole screen: every batch of events cost a reflow of
  every pane (2 to 3 ms of each step's frame). The log's own box never changes size when lines
  arrive, so only its scrollbar needs telling.
- Each write also measured the new lines' width in a thread worker (a worker, its state
  messages and a ``call_from_thread`` per batch). The dashboard writes at most a few hundred
  short lines a batch: measuring them in place costs less.

- Once the log holds ``max_lines``, a write drops lines from the top, so every row on show
  changes; but ``Log.write_lines`` asks to redraw only the rows the new lines were appended
  at (past the end, after the drop), and the view, already at the end, does not scroll. The
  screen kept the rows drawn when the window filled, under a flood for good.

All override Log internals of the pinned Textual version.
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

    def write_lines(self, lines: list[str], scroll_end: bool | None = None) -> TailLog:  # type: ignore[override]
        full = self.max_lines is not None and len(self._lines) + len(lines) > self.max_lines
        super().write_lines(lines, scroll_end)
        if full:
            self.refresh()  # the lines moved up: every row on show is another line now
        return self

    def show_lines(self, lines: list[str]) -> None:
        """Show exactly ``lines``, the last one in view, moving as little as possible (a
        step through history): when they extend the lines on show, or are the first of
        them, only the difference is written or cut, and the pane scrolls only when the
        last line would leave the view. The pane keeps its height meanwhile (rows past the
        last line are blank): a shorter pane would scroll by itself. Everything else on
        show stays where it was drawn, so Textual redraws a line or two, not a pane."""
        old = self._lines
        shown = len(old)
        if len(lines) >= shown and lines[:shown] == old:
            self._extend(lines[shown:])
        elif old[: len(lines)] == lines:
            cache = self._render_line_cache
            for y in range(len(lines), shown):
                cache.discard(y)
            del old[len(lines) :]
            self.refresh_lines(len(lines), shown - len(lines))
        else:
            self.clear()
            self._extend(lines)
        last, top, height = len(self._lines) - 1, self.scroll_offset.y, self.size.height
        if height > 0 and not top <= last < top + height:
            self.scroll_to(y=max(0, last - height + 1), animate=False, immediate=True)

    def _extend(self, lines: list[str]) -> None:
        if not lines:
            return
        start = len(self._lines)
        self._lines.extend(lines)
        self._width = max(self._width, self._widest(lines))
        height = max(self.virtual_size.height, len(self._lines))
        self.virtual_size = Size(self._width, height)
        self.refresh_lines(start, len(lines))

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
            self._update_maximum_width(updates, self._widest(lines))

    def _widest(self, lines: list[str]) -> int:
        """The width of the widest of ``lines`` (not empty) as the pane shows them: a line
        of printable ASCII (most event lines) is as wide as it is long."""
        process = self._process_line
        return max(
            len(line) if line.isascii() and line.isprintable() else cell_len(process(line))
            for line in lines
        )
