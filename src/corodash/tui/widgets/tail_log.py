"""Textual's Log without a screen layout per write.

``Log.write_lines`` grows the widget's virtual size, and ``Widget.virtual_size`` is a
reactive that asks for a layout of the whole screen: every batch of events cost a reflow of
every pane (2 to 3 ms of each step's frame). The log's own box never changes size when lines
arrive, so only its scrollbar needs telling.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Log


class TailLog(Log):
    virtual_size = Reactive(Size(0, 0), layout=False)

    def watch_virtual_size(self, size: Size) -> None:
        self._scroll_update(size)
