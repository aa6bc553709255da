"""The gallery: the built-in demos, in the order people learn them."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Header, Markdown, OptionList
from textual.widgets.option_list import Option

from corodash.demos import Demo, demos
from corodash.tui.widgets.key_bar import KeyBar


class GalleryScreen(Screen[None]):
    BINDINGS = [
        Binding("enter", "open", "open demo"),
        *[Binding(str(n), f"open({n - 1})", f"demo {n}", show=False) for n in range(1, 10)],
        Binding("escape", "back", "back", show=False),
        Binding("question_mark", "help", "help"),
        Binding("q", "app.quit", "quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.demos = demos()

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Horizontal():
            options = [Option(d.title, id=d.name) for d in self.demos]  # titles carry the number
            yield OptionList(*options, id="demos")
            yield Markdown(id="explanation")
        yield KeyBar()

    def on_mount(self) -> None:
        self.title = "corodash"
        self.sub_title = "pick a demo, press Enter"
        self.query_one(OptionList).highlighted = 0

    @on(OptionList.OptionHighlighted)
    def highlighted(self, event: OptionList.OptionHighlighted) -> None:
        demo = self._demo(event.option_index)
        text = f"## {demo.title}\n\n{demo.explanation}\n\n`{demo.path.name}`"
        self.query_one(Markdown).update(text)

    @on(OptionList.OptionSelected)
    def selected(self, event: OptionList.OptionSelected) -> None:
        self._open(self._demo(event.option_index))

    def action_open(self, index: int | None = None) -> None:
        """The highlighted demo, or the one numbered ``index + 1``."""
        if index is None:
            index = self.query_one(OptionList).highlighted
        if index is not None and 0 <= index < len(self.demos):
            self._open(self._demo(index))

    def action_back(self) -> None:
        """Back to the dashboard it was opened from, if any."""
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()

    def action_help(self) -> None:
        from corodash.tui.screens.help import open_help

        open_help(self.app)

    def _demo(self, index: int) -> Demo:
        return self.demos[index]

    def _open(self, demo: Demo) -> None:
        self.app.open_script(str(demo.path), [], back_to_gallery=True)  # type: ignore[attr-defined]
