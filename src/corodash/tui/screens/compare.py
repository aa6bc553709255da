"""The compare view: the program patched and unpatched, side by side on one time scale."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from corodash.compare import Comparison, RunSummary, describe_block
from corodash.comparison_run import Cancelled, ComparisonRun
from corodash.session import RunOptions
from corodash.timeline import build_timeline
from corodash.tui.widgets.key_bar import KeyBar
from corodash.tui.widgets.timeline_view import TimelineView


class CompareScreen(Screen[None]):
    BINDINGS = [Binding("escape,q,v", "app.pop_screen", "back")]

    def __init__(
        self, options: RunOptions | None = None, comparison: Comparison | None = None
    ) -> None:
        """Runs ``options`` both ways in fresh agents, or shows ``comparison`` as it is."""
        super().__init__()
        self.options = options
        self.comparison = comparison
        self.runs = ComparisonRun(options) if options is not None else None
        """The two runs under way; leaving the screen cancels them."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="compare"):
            yield Static("", id="verdict")
            yield Static("", id="figures")
            with Vertical(id="patched-box"):
                yield TimelineView(id="patched")
            with Vertical(id="unpatched-box"):
                yield TimelineView(id="unpatched")
            yield Static("", id="blocks")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#patched-box").border_title = "patched (monkey.patch_all on)"
        self.query_one("#unpatched-box").border_title = "unpatched (patching off)"
        if self.comparison is not None:
            self.show(self.comparison)
        elif self.options is not None:
            self.query_one("#verdict", Static).update(
                "Running the program twice, patched then unpatched, each in a fresh agent…"
            )
            self.run_both(self.runs)

    @work(
        thread=True,
        exclusive=True,
        exit_on_error=False,
        group="compare",
        description="run the program patched and unpatched",
    )
    def run_both(self, runs: ComparisonRun) -> None:
        try:
            result = runs.run()
        except Cancelled:
            return
        except Exception as error:  # a comparison that cannot run says why, never hangs
            self.app.call_from_thread(self.failed, f"{type(error).__name__}: {error}")
            return
        self.app.call_from_thread(self.show, result)

    def on_unmount(self) -> None:
        if self.runs is not None:
            self.runs.cancel("stopped")

    def failed(self, error: str) -> None:
        self.query_one("#verdict", Static).update(
            Text(f"The comparison could not run: {error}", style="bold red")
        )

    def show(self, result: Comparison) -> None:
        self.comparison = result
        patched, unpatched = result.patched, result.unpatched
        span = max(patched.wall, unpatched.wall, 1e-3)
        for run, view_id in ((patched, "#patched"), (unpatched, "#unpatched")):
            timeline = build_timeline(_from_start(run))
            self.query_one(view_id, TimelineView).show(timeline, span)
        style = "bold red" if result.failed else "bold"
        self.query_one("#verdict", Static).update(Text(result.sentence, style=style))
        self.query_one("#figures", Static).update(_figures(result))
        self.query_one("#blocks", Static).update(_blocks(result))


def _from_start(run: RunSummary) -> list[dict]:
    """The run's events with time counted from when the program itself started."""
    start = max(0.0, (run.events[-1].get("started") or 0.0) if run.events else 0.0)
    patches = [e["t"] for e in run.events if e["kind"] == "patch"]
    start = max([start, *patches])
    return [{**e, "t": max(0.0, e["t"] - start)} for e in run.events]


def _figures(result: Comparison) -> Text:
    patched, unpatched = result.patched, result.unpatched
    text = Text()
    text.append(f"{'':<16}{'patched':>12}{'unpatched':>12}\n", style="bold")
    rows = [
        ("wall time", f"{patched.wall:.3f} s", f"{unpatched.wall:.3f} s"),
        ("switches", str(patched.switches), str(unpatched.switches)),
        ("time blocked", f"{patched.blocked_seconds:.3f} s", f"{unpatched.blocked_seconds:.3f} s"),
    ]
    for label, left, right in rows:
        text.append(f"{label:<16}{left:>12}{right:>12}\n")
    if result.speedup is not None:
        text.append(f"{'speed-up':<16}{result.speedup:>11.2f}x\n", style="bold")
    return text


def _blocks(result: Comparison) -> Text:
    text = Text()
    for run in (result.patched, result.unpatched):
        if run.blocks:
            text.append(f"blocking calls, {run.mode}\n", style="bold")
            for block in run.blocks:
                text.append(f"  {describe_block(block)}\n", style="red")
    for hint in result.hints:
        text.append(f"hint: {hint}\n", style="yellow")
    return text
