"""The corodash app: the gallery, or a dashboard on one program."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from textual.app import App, SystemCommand
from textual.screen import Screen

from corodash.session import AgentSession, RunOptions
from corodash.tui.screens.dashboard import DashboardScreen
from corodash.tui.terminal_watch import watch_terminal

DASHBOARD_COMMANDS = (
    ("next()", "Run the selected generator or iterator to its next value", "drive('next')"),
    ("send()", "Resume the selected generator with a value", "send"),
    ("throw()", "Raise an exception inside the selected generator", "throw"),
    ("close()", "Close the selected generator", "drive('close')"),
    ("switch()", "Switch into the selected greenlet", "drive('switch')"),
    ("Step", "Run one event, then pause", "step"),
    ("Continue", "Run until the top level ends", "resume"),
    ("Pause", "Pause the running program", "pause"),
    ("Run to the selected task", "Continue until the selected task's next event", "until"),
    (
        "Breakpoint on the line",
        "A breakpoint on the line the source pane shows (again: off)",
        "break_line",
    ),
    (
        "Breakpoints",
        "List the breakpoints: turn off, remove, add on yields, switches, blocks",
        "breakpoints",
    ),
    ("Patch mode", "Cycle gevent monkey patching auto/on/off (restarts the program)", "patch"),
    ("Restart", "Run the program again in a fresh agent", "restart"),
    ("Export trace", "Write the whole trace (JSON Lines) to the current folder", "export"),
    ("Open in editor", "The source pane's file in $EDITOR, at its line", "edit"),
    ("Hub steps", "Whether steps stop at switches into gevent's hub", "hub_steps"),
    ("Compare patched and unpatched", "Run the program both ways, side by side", "compare"),
    ("Events tab", "The log of every event", "tab('events')"),
    ("Output tab", "The program's output, tagged by task", "tab('output')"),
    ("Timeline tab", "Each task's running stretches, yields and blocks", "timeline"),
    ("Filter events by task", "Show only the selected task's events (again: all)", "filter_task"),
    ("Filter events by kind", "Cycle which kinds of events are shown", "filter_kind"),
    ("History: back", "Every pane as of the event before", "history_back"),
    ("History: forward", "Every pane as of the event after", "history_forward"),
    ("History: task back", "The selected task's previous event", "history_task(-1)"),
    ("History: previous switch", "The switch before this event", "history_switch(-1)"),
    ("History: value origin", "From a yield back to the resume that ran it", "history_origin"),
    ("History: present", "Back to the live program", "history_present"),
    ("Back", "Back to the gallery of demos", "back"),
    ("Help", "Every key and what it does", "help"),
    ("Quit", "End the program and leave", "quit"),
)


class CorodashApp(App[None]):
    CSS_PATH = Path(__file__).parent / "corodash.tcss"
    TITLE = "corodash"

    def __init__(
        self,
        options: RunOptions | None = None,
        started: AgentSession | None = None,
        first: Screen | None = None,
    ) -> None:
        """The dashboard on ``options`` (its agent perhaps ``started`` already), or the
        ``first`` screen given, or the gallery."""
        super().__init__()
        self.options = options
        self.started = started
        self.first = first

    def on_mount(self) -> None:
        watch_terminal(self)
        if self.first is not None:
            self.push_screen(self.first)
        elif self.options is None:
            # Imported here: the gallery loads Markdown, which a dashboard never needs.
            from corodash.tui.screens.gallery import GalleryScreen

            self.push_screen(GalleryScreen())
        else:
            self.push_screen(DashboardScreen(self.options, started=self.started))

    def open_script(self, script: str, argv: list[str], back_to_gallery: bool = False) -> None:
        """A demo of the gallery: its locals are recorded, for history to show."""
        options = RunOptions(script, argv, step=True, record_locals=True)
        self.push_screen(DashboardScreen(options, back_to_gallery=back_to_gallery))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, DashboardScreen):
            for title, help_text, action in DASHBOARD_COMMANDS:
                yield SystemCommand(title, help_text, _runner(screen, action))


def _runner(screen: Screen, action: str):
    async def run() -> None:
        await screen.run_action(action)

    return run
