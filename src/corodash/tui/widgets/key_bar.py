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
from textual.binding import Binding
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Static

PINNED = ("help", "quit", "app.quit", "palette")
"""Actions the bar always shows, at its right-hand end."""
MORE = "… "


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
        self.update(self.fitted(self.size.width), layout=False)

    def fitted(self, width: int) -> Text:
        """Whole entries only, in the screen's order, as many as fit; help and quit always
        at the right (and the palette's key when every key fits): every key stays
        discoverable at 80 columns, and a cut is marked with an ellipsis."""
        entries = self.entries()
        pinned = [e for e in entries if e[0] in PINNED]
        rest = [e for e in entries if e[0] not in PINNED]
        right = self._text(pinned)
        if self._text(rest).cell_len + right.cell_len > width:
            # Not all fit: the palette's key gives way first (help names it).
            right = self._text([e for e in pinned if e[0] != "palette"])
        room = width - right.cell_len
        left = Text(no_wrap=True)
        for index, entry in enumerate(rest):
            piece = self._text([entry])
            needs = piece.cell_len + (len(MORE) if index < len(rest) - 1 else 0)
            if left.cell_len + needs > room:
                left.append(MORE, self.get_component_rich_style("key-bar--disabled", partial=True))
                break
            left.append_text(piece)
        left.pad_right(max(0, room - left.cell_len))
        return left + right

    def entries(self) -> list[tuple[str, str, str, str, bool]]:
        """(action, key, shown key, description, enabled) of each shown binding, once per
        action; the palette's key last. While history is on show, its keys instead of the
        keys that drive the program."""
        app = self.app
        history = getattr(self.screen, "past_on_show", False)
        palette_key = app.COMMAND_PALETTE_BINDING if app.ENABLE_COMMAND_PALETTE else None
        entries: list[tuple[str, str, str, str, bool]] = []
        palette: list[tuple[str, str, str, str, bool]] = []
        seen: set[str] = set()
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            display = app.get_key_display(binding)
            if binding.key == palette_key:
                palette = [("palette", binding.key, display, "palette", enabled)]
            elif binding.action not in seen and _shown(binding, history):
                seen.add(binding.action)
                entries.append((binding.action, binding.key, display, binding.description, enabled))
        return entries + palette

    def _text(self, entries: list[tuple[str, str, str, str, bool]]) -> Text:
        text = Text(no_wrap=True)
        for _action, key, display, description, enabled in entries:
            self._append(text, key, display, description, enabled)
        return text

    def _append(self, text: Text, key: str, display: str, description: str, enabled: bool) -> None:
        click = Style(meta={"@click": f"app.simulate_key({key!r})"})
        key_style = self.get_component_rich_style("key-bar--key", partial=True)
        plain = Style()
        if not enabled:
            dim = self.get_component_rich_style("key-bar--disabled", partial=True)
            key_style, plain = key_style + dim, dim
        text.append(f" {display} ", key_style + click)
        text.append(f"{description} ", plain + click)


def _shown(binding: Binding, history: bool) -> bool:
    """Help and quit always; in history mode its keys, else the keys marked shown."""
    if binding.action in PINNED or not history:
        return binding.show
    return binding.action.startswith("history_")
