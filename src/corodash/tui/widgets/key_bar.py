"""The keys of the current screen on one line: what Textual's Footer shows, drawn as one
widget.

Footer builds a widget per key and rebuilds them all whenever the screen's bindings change;
on the dashboard that cost 60 ms of the first frame and a recompose at every state change.
This bar is one line of text, redrawn in place: keys that make no sense now are dimmed, a
click on a key presses it, and the command palette's key keeps the right-hand end.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Static


class KeyBar(Static):
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--disabled"}
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
        link-style: none;
        link-style-hover: reverse;
    }
    KeyBar > .key-bar--key {
        color: $footer-key-foreground;
        text-style: bold;
    }
    KeyBar > .key-bar--disabled {
        text-style: dim;
    }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        self._redraw()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)
        self.app.theme_changed_signal.unsubscribe(self)

    def _theme_changed(self, theme: object) -> None:
        # The new theme's styles reach this widget after the signal: redraw after them.
        self.call_after_refresh(self._redraw)

    def on_resize(self, event: Resize) -> None:
        self._redraw()

    def _bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen:
            self._redraw()

    def _redraw(self) -> None:
        keys, palette = self.keys_text()
        room = self.size.width - palette.cell_len - 1
        if room > 0:
            keys.truncate(room, overflow="ellipsis", pad=True)
            keys.append(" ")
        self.update(keys + palette, layout=False)

    def keys_text(self) -> tuple[Text, Text]:
        """One entry per action the screen shows (its first key); the palette's key apart."""
        app = self.app
        palette_key = app.COMMAND_PALETTE_BINDING if app.ENABLE_COMMAND_PALETTE else None
        keys, palette = Text(no_wrap=True), Text(no_wrap=True)
        seen: set[str] = set()
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            display = app.get_key_display(binding)
            if binding.key == palette_key:
                self._append(palette, binding.key, display, "palette", enabled)
            elif binding.show and binding.action not in seen:
                seen.add(binding.action)
                self._append(keys, binding.key, display, binding.description, enabled)
        return keys, palette

    def _append(self, text: Text, key: str, display: str, description: str, enabled: bool) -> None:
        click = Style(meta={"@click": f"app.simulate_key({key!r})"})
        key_style = self.get_component_rich_style("key-bar--key", partial=True)
        plain = Style()
        if not enabled:
            dim = self.get_component_rich_style("key-bar--disabled", partial=True)
            key_style, plain = key_style + dim, dim
        text.append(f" {display} ", key_style + click)
        text.append(f"{description} ", plain + click)
