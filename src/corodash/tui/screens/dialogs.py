"""Dialogs that take a value from the user: send() and throw()."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select

from corodash.protocol import LiteralError, parse_literal

EXCEPTIONS = (
    "ValueError",
    "KeyError",
    "RuntimeError",
    "TypeError",
    "StopIteration",
    "GeneratorExit",
    "KeyboardInterrupt",
    "Exception",
)


class SendDialog(ModalScreen[str | None]):
    """Asks for a Python literal; a parse error shows inline and the dialog stays."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, target: str) -> None:
        super().__init__()
        self.target = target

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(f"send() into {self.target}: a Python literal (3, 'text', None, [1, 2])")
            yield Input(placeholder="value", id="value")
            yield Label("", id="error", classes="error")

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        try:
            parse_literal(event.value)
        except LiteralError as error:
            self.query_one("#error", Label).update(str(error))
            return
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ThrowDialog(ModalScreen[tuple[str, str] | None]):
    """Picks an exception class and an optional message."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, target: str) -> None:
        super().__init__()
        self.target = target

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(f"throw() into {self.target}: pick an exception, then Enter")
            yield Select(
                [(name, name) for name in EXCEPTIONS],
                value="ValueError",
                allow_blank=False,
                id="exception",
            )
            yield Input(placeholder="message (optional)", id="message")

    def on_mount(self) -> None:
        self.query_one("#message", Input).focus()

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        exception = self.query_one("#exception", Select).value
        self.dismiss((str(exception), event.value))

    def action_cancel(self) -> None:
        self.dismiss(None)
