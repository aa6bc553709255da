"""The selected task's source, its current line highlighted."""

from __future__ import annotations

import linecache
import os
import sys
import threading
from collections import OrderedDict
from collections.abc import Sequence

from rich.text import Text
from textual.message import Message

from corodash.tui.widgets.steady_static import SteadyStatic

CONTEXT = 40
CURRENT_LINE = "on grey23"
MARKER = "bold red"
LINE_NUMBER = "dim"
WARM_UP_DELAY = 0.3
"""Seconds after the first source is shown: by then the agent's first state is on screen."""
LEXED_FILES = 8


class SourceView(SteadyStatic):
    """A window of the file around the current line, coloured once pygments is loaded.

    Importing pygments takes about 60 ms: loading it on a thread once the first frames are
    out keeps it off the start-up path (the first source shown is plain, then redrawn in
    colour). Each file is lexed once; a step only rebuilds the window (lexing a 500-line file
    on every step cost 23 ms).
    """

    class HighlighterReady(Message):
        """pygments has been loaded on the warm-up thread."""

    _warming = False

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple[str | None, int | None] = (None, None)
        self._lexed: OrderedDict[tuple[str, int], list[Text]] = OrderedDict()

    def show(self, file: str | None, line: int | None) -> None:
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
        first = max(1, line - CONTEXT)
        last = min(len(lines), line + CONTEXT)
        self.border_title = f"{os.path.basename(file)}:{line}"
        if highlighter_loaded():
            shown = self._coloured(file, lines)
        else:
            shown = [Text(text.rstrip("\n")) for text in lines[first - 1 : last]]
            shown = [Text()] * (first - 1) + shown
            self.set_timer(WARM_UP_DELAY, self._warm_up)
        self.replace_text(source_window(shown, first, last, line))
        self.call_after_refresh(self._center, line - first)

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


def source_window(lines: Sequence[Text], first: int, last: int, line: int) -> Text:
    """Lines ``first`` to ``last`` (1-based) of ``lines``, numbered, ``line`` marked."""
    width = len(str(last)) + 1
    window = Text(no_wrap=True, end="")
    for number in range(first, last + 1):
        current = number == line
        window.append("❱" if current else " ", style=MARKER)
        window.append(f"{number:>{width}} ", style=LINE_NUMBER)
        body = lines[number - 1].copy()
        if current:
            body.stylize(CURRENT_LINE)
        window.append_text(body)
        if number < last:
            window.append("\n")
    return window
