"""``B``: the breakpoints, each with what it stops at, whether it is on and its hits; keys
to turn one off or on, remove it, or add one on the selected task or on blocks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from corodash.describe import break_text
from corodash.model import TaskLabels, TaskRow

Ask = Callable[..., bool]
"""The dashboard's ``command(name, *args, then=...)``."""
HINT = (
    "space: off/on   d: remove   escape: close\n"
    "add   y: a yield of {task}   w: a switch into {task}\n"
    "      k: a block of gevent's hub   (b in the dashboard: a line)"
)


class BreakpointsScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,B", "dismiss", "close"),
        Binding("space,enter", "toggle", "off/on"),
        Binding("d,delete", "remove", "remove"),
        Binding("y", "add('yield')", "break on its yields"),
        Binding("w", "add('switch')", "break on switches into it"),
        Binding("k", "add('block')", "break on blocks"),
    ]

    def __init__(
        self,
        breaks: list[dict[str, Any]],
        labels: TaskLabels,
        selected_task: TaskRow | None,
        ask: Ask,
        changed: Callable[[dict[str, Any]], None],
    ) -> None:
        """``selected_task``: the dashboard's selected task; ``changed``: called with each answer
        that lists the breakpoints."""
        super().__init__()
        self.breaks = breaks
        self.labels = labels
        self.selected_task = selected_task
        self.ask = ask
        self.changed = changed

    def compose(self) -> ComposeResult:
        who = self.selected_task.label if self.selected_task else "the selected task"
        with Vertical(id="dialog"):
            yield Label("[b]breakpoints[/b]")
            yield OptionList(id="breaks")
            yield Label(HINT.format(task=who), id="breaks-hint")

    def on_mount(self) -> None:
        self.show(self.breaks)

    def show(self, breaks: list[dict[str, Any]]) -> None:
        self.breaks = breaks
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        if not breaks:
            options.add_option(Option("(none yet)", disabled=True))
        for found in breaks:
            mark = "●" if found["enabled"] else "○"
            text = f"{mark} {found['id']:>3}  {break_text(found, self.labels)}"
            options.add_option(Option(f"{text}   hits {found['hits']}", id=str(found["id"])))
        if breaks:
            options.highlighted = min(highlighted or 0, len(breaks) - 1)

    def _answered(self, data: dict[str, Any]) -> None:
        self.changed(data)
        self.show(data["breaks"])

    def _selected(self) -> int | None:
        index = self.query_one(OptionList).highlighted
        return self.breaks[index]["id"] if index is not None and self.breaks else None

    def action_toggle(self) -> None:
        ident = self._selected()
        if ident is not None:
            self.ask("toggle", ident, then=self._answered)

    def action_remove(self) -> None:
        ident = self._selected()
        if ident is not None:
            self.ask("clear", ident, then=self._answered)

    def action_add(self, kind: str) -> None:
        if kind == "block":
            self.ask("break", "block", then=self._answered)
        elif self.selected_task is None:
            self.notify("select a task in the dashboard first", severity="warning")
        else:
            self.ask("break", kind, self.selected_task.id, then=self._answered)
