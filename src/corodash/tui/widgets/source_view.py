"""The selected task's source, its current line highlighted."""

from __future__ import annotations

import linecache
import os
import sys
import threading

from rich.text import Text
from textual.message import Message
from textual.widgets import Static

CONTEXT = 40
WARM_UP_DELAY = 0.3
"""Seconds after the first source is shown: by then the agent's first state is on screen."""
CURRENT_LINE = "on grey23"
LINE_NUMBER = "dim"


class SourceView(Static):
    """Plain text until pygments is loaded, then syntax-highlighted.

    Importing pygments takes about 60 ms: loading it on a thread once the first frames are
    out keeps it off the start-up path (the first source shown is plain, then redrawn in
    colour).
    """

    class HighlighterReady(Message):
        """pygments has been loaded on the warm-up thread."""

    _warming = False

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple[str | None, int | None] = (None, None)

    def show(self, file: str | None, line: int | None) -> None:
        self._shown = (file, line)
        if not file or not line:
            self.border_title = "source"
            self.update("(no source: select a task that is somewhere in your code)")
            return
        lines = linecache.getlines(file)
        if not lines:
            self.border_title = os.path.basename(file)
            self.update(f"(cannot read {file})")
            return
        first = max(1, line - CONTEXT)
        last = min(len(lines), line + CONTEXT)
        self.border_title = f"{os.path.basename(file)}:{line}"
        if highlighter_loaded():
            self.update(_highlighted(lines, first, last, line))
        else:
            self.update(plain_source(lines, first, last, line))
            self.set_timer(WARM_UP_DELAY, self._warm_up)
        self.call_after_refresh(self._center, line - first)

    def _warm_up(self) -> None:
        if SourceView._warming:
            return
        SourceView._warming = True

        def load() -> None:
            _highlighted(["pass\n"], 1, 1, 1).highlight("pass")
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


def _highlighted(lines: list[str], first: int, last: int, line: int):
    from rich.syntax import Syntax

    return Syntax(
        "".join(lines),
        "python",
        line_numbers=True,
        line_range=(first, last),
        highlight_lines={line},
        theme="ansi_dark",
        word_wrap=False,
    )


def plain_source(lines: list[str], first: int, last: int, line: int) -> Text:
    """The same lines as the highlighted view, numbered, without colours."""
    width = len(str(last)) + 1
    text = Text(no_wrap=True)
    for number in range(first, last + 1):
        marker = "❱" if number == line else " "
        source = lines[number - 1].rstrip("\n")
        text.append(f"{marker}{number:>{width}} ", style=LINE_NUMBER)
        text.append(source + "\n", style=CURRENT_LINE if number == line else "")
    text.rstrip()
    return text
