"""The selected task's source, its current line highlighted."""

from __future__ import annotations

import linecache
import os

from textual.widgets import Static

CONTEXT = 40


class SourceView(Static):
    def show(self, file: str | None, line: int | None) -> None:
        if not file or not line:
            self.border_title = "source"
            self.update("(no source: select a task that is somewhere in your code)")
            return
        lines = linecache.getlines(file)
        if not lines:
            self.border_title = os.path.basename(file)
            self.update(f"(cannot read {file})")
            return
        from rich.syntax import Syntax  # loads pygments: not before the first source shown

        first = max(1, line - CONTEXT)
        last = min(len(lines), line + CONTEXT)
        syntax = Syntax(
            "".join(lines),
            "python",
            line_numbers=True,
            line_range=(first, last),
            highlight_lines={line},
            theme="ansi_dark",
            word_wrap=False,
        )
        self.border_title = f"{os.path.basename(file)}:{line}"
        self.update(syntax)
        self.call_after_refresh(self._center, line - first)

    def _center(self, offset: int) -> None:
        parent = self.parent
        if parent is not None and hasattr(parent, "scroll_to"):
            parent.scroll_to(y=max(0, offset - parent.size.height // 2), animate=False)
