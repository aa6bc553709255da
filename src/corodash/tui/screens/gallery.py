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
    BINDINGS = [Binding("enter", "open", "Open demo"), Binding("q", "app.quit", "Quit")]

    def __init__(self) -> None:
        super().__init__()
        self.demos = demos()

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Horizontal():
            yield OptionList(*[Option(d.title, id=d.name) for d in self.demos], id="demos")
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

    def action_open(self) -> None:
        index = self.query_one(OptionList).highlighted
        if index is not None:
            self._open(self._demo(index))

    def _demo(self, index: int) -> Demo:
        return self.demos[index]

    def _open(self, demo: Demo) -> None:
        self.app.open_script(str(demo.path), [], back_to_gallery=True)  # type: ignore[attr-defined]
