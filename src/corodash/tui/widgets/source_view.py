"""The selected task's source, its current line highlighted."""

from __future__ import annotations

import linecache
import os
import sys
import threading
from collections import OrderedDict
from collections.abc import Container, Sequence

from rich.text import Text
from textual.binding import Binding
from textual.message import Message

from corodash.tui.widgets.steady_static import SteadyStatic

CONTEXT = 40
CURRENT_LINE = "on grey23"
CURSOR_LINE = "reverse"
MARKER = "bold red"
LINE_NUMBER = "dim"
WARM_UP_DELAY = 0.3
"""Seconds after the first source is shown: by then the agent's first state is on screen."""
LEXED_FILES = 8


class SourceView(SteadyStatic, can_focus=True):
    """A window of the file around the current line, coloured once pygments is loaded.

    Focused (tab), it has a line cursor of its own (arrows, page keys): ``b`` then puts a
    breakpoint on the cursor's line. A new current line brings the cursor back to it.

    Importing pygments takes about 60 ms: loading it on a thread once the first frames are
    out keeps it off the start-up path (the first source shown is plain, then redrawn in
    colour). Each file is lexed once; a step only rebuilds the window (lexing a 500-line file
    on every step cost 23 ms).
    """

    class HighlighterReady(Message):
        """pygments has been loaded on the warm-up thread."""

    _warming = False
    BINDINGS = [
        Binding("up", "move(-1)", "line up", show=False),
        Binding("down", "move(1)", "line down", show=False),
        Binding("pageup", "move(-15)", "page up", show=False),
        Binding("pagedown", "move(15)", "page down", show=False),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple[str | None, int | None] = (None, None)
        self.cursor: int | None = None
        """The line the focused pane points at (None: the current line)."""
        self.breaks: set[tuple[str, int]] = set()
        """(file, line) of each line breakpoint, marked ●."""
        self._lexed: OrderedDict[tuple[str, int], list[Text]] = OrderedDict()

    def show(self, file: str | None, line: int | None) -> None:
        if (file, line) != self._shown:
            self.cursor = None
        self._shown = (file, line)
        if not file or not line:
            self.border_title = "source"
            self.replace_text("(no source: select a task that is somewhere in your code)")
            return
        linecache.checkcache(file)  # the file may have been edited since (r restarts it)
        lines = linecache.getlines(file)
        if not lines:
            self.border_title = os.path.basename(file)
            self.replace_text(f"(cannot read {file})")
            return
        middle = self.cursor or line
        first = max(1, middle - CONTEXT)
        last = min(len(lines), middle + CONTEXT)
        self.border_title = f"{os.path.basename(file)}:{line}"
        if highlighter_loaded():
            shown = self._coloured(file, lines)
        else:
            shown = [Text(text.rstrip("\n")) for text in lines[first - 1 : last]]
            shown = [Text()] * (first - 1) + shown
            self.set_timer(WARM_UP_DELAY, self._warm_up)
        marked = {number for where, number in self.breaks if where == file}
        self.replace_text(source_window(shown, first, last, line, marked, self.cursor))
        self.call_after_refresh(self._center, middle - first)

    @property
    def pointed(self) -> tuple[str | None, int | None]:
        """The file on show and the line pointed at: the cursor's, else the current one."""
        file, line = self._shown
        return file, self.cursor or line

    def action_move(self, delta: int) -> None:
        file, line = self._shown
        if not file or not line:
            return
        count = len(linecache.getlines(file))
        self.cursor = max(1, min(count, (self.cursor or line) + delta))
        self.redraw()

    def on_focus(self) -> None:
        self.redraw()

    def on_blur(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        self.show(*self._shown)

    def _coloured(self, file: str, lines: list[str]) -> list[Text]:
        key = (file, hash(tuple(lines)))  # an edit that keeps the line count is still new
        lexed = self._lexed.get(key)
        if lexed is None:
            lexed = self._lexed[key] = lex(lines)
            if len(self._lexed) > LEXED_FILES:
                self._lexed.popitem(last=False)
        return lexed

    def _warm_up(self) -> None:
        if SourceView._warming:
            return
        SourceView._warming = True

        def load() -> None:
            lex(["pass\n"])
            self.post_message(self.HighlighterReady())

        threading.Thread(target=load, name="corodash-highlighter", daemon=True).start()

    def on_source_view_highlighter_ready(self, message: HighlighterReady) -> None:
        message.stop()
        self.show(*self._shown)

    def _center(self, offset: int) -> None:
        parent = self.parent
        if parent is not None and hasattr(parent, "scroll_to"):
            parent.scroll_to(y=max(0, offset - parent.size.height // 2), animate=False)


def highlighter_loaded() -> bool:
    return "pygments.lexers.python" in sys.modules


def lex(lines: list[str]) -> list[Text]:
    """The file's lines, coloured by pygments (one Text per line)."""
    from rich.syntax import Syntax

    code = "".join(lines)
    coloured = Syntax(code, "python", theme="ansi_dark").highlight(code)
    return coloured.split("\n", allow_blank=True)[: len(lines)]


def source_window(
    lines: Sequence[Text],
    first: int,
    last: int,
    line: int,
    breaks: Container[int] = (),
    cursor: int | None = None,
) -> Text:
    """Lines ``first`` to ``last`` (1-based) of ``lines``, numbered, ``line`` marked, the
    lines in ``breaks`` marked as holding a breakpoint, the ``cursor`` line reversed."""
    width = len(str(last)) + 1
    window = Text(no_wrap=True, end="")
    for number in range(first, last + 1):
        current = number == line
        window.append("❱" if current else "●" if number in breaks else " ", style=MARKER)
        window.append(f"{number:>{width}} ", style=LINE_NUMBER)
        body = lines[number - 1].copy()
        if current:
            body.stylize(CURRENT_LINE)
        if number == cursor:
            body.stylize(CURSOR_LINE)
        window.append_text(body)
        if number < last:
            window.append("\n")
    return window
