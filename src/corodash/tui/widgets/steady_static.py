"""A Static that asks for a layout only when its text changes shape.

``Static.update`` lays out the whole screen by default, which re-renders every pane (20 to
40 ms in the dashboard); the frame and source panes change their text at every stop but
rarely their size, and a repaint of the one widget is enough then.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static


class SteadyStatic(Static):
    _shape: tuple[int, int] | None = None

    def replace_text(self, text: Text | str) -> None:
        """Show ``text``; a layout only if its line count or widest line differs."""
        plain = text.plain if isinstance(text, Text) else text
        lines = plain.split("\n")
        shape = (len(lines), max(cell_len(line) for line in lines))
        self.update(text, layout=shape != self._shape)
        self._shape = shape
