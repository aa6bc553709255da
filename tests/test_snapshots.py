"""Snapshots of the main screens (pytest-textual-snapshot); accept changes deliberately with
``pytest --snapshot-update`` on Python 3.11, after looking at them."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import program
from dashboard_helpers import step_until, until

from corodash.session import RunOptions
from corodash.tui.app import CorodashApp
from corodash.tui.screens.dashboard import DashboardScreen
from corodash.tui.widgets.status_line import StatusLine
from corodash.tui.widgets.task_table import TaskTable

pytestmark = pytest.mark.skipif(
    sys.version_info[:2] != (3, 11), reason="snapshots are recorded on Python 3.11"
)


def freeze(pilot) -> None:
    """No wall-clock figure on screen, no blinking cursor."""
    for status in pilot.app.screen.query(StatusLine):
        status.frozen = True
    pilot.app.screen._dirty = True


class TestGallery:
    def test_gallery(self, snap_compare):
        async def before(pilot):
            from textual.widgets import Markdown

            await until(pilot, lambda: bool(pilot.app.screen.query(Markdown).first().children))

        assert snap_compare(CorodashApp(), run_before=before, terminal_size=(110, 30))


class TestDashboard:
    def test_stepping_a_generator(self, snap_compare):
        async def before(pilot):
            screen = pilot.app.screen
            await until(
                pilot, lambda: isinstance(screen, DashboardScreen) and screen.run_state == "paused"
            )
            freeze(pilot)
            await step_until(pilot, lambda: screen.model.counts["yield"] == 3)
            await until(
                pilot, lambda: "echo_send.py:4" in str(screen.query_one("#source").border_title)
            )

        app = CorodashApp(RunOptions(program("echo_send"), step=True))
        assert snap_compare(app, run_before=before, terminal_size=(120, 34))

    def test_greenlets_mid_switch(self, snap_compare):
        async def before(pilot):
            screen = pilot.app.screen
            await until(pilot, lambda: screen.run_state == "paused")
            freeze(pilot)
            await step_until(pilot, lambda: screen.model.counts["switch"] == 3)
            await until(pilot, lambda: screen.query_one(TaskTable).selected == 1)
            await until(pilot, lambda: "ping" in screen.query_one("#frame").text)

        app = CorodashApp(RunOptions(program("ping_pong"), step=True))
        assert snap_compare(app, run_before=before, terminal_size=(120, 34))

    def test_finished_run_with_an_error(self, snap_compare):
        async def before(pilot):
            screen = pilot.app.screen
            await until(pilot, lambda: screen.run_state == "idle")
            freeze(pilot)
            screen.query_one(TaskTable).select(1)
            await until(pilot, lambda: "fragile" in screen.query_one("#frame").text)

        app = CorodashApp(RunOptions(program("raises_in_generator")))
        assert snap_compare(app, run_before=before, terminal_size=(120, 34))

    def test_history_mode(self, snap_compare):
        """Stepped back to the second yield: every pane as of then, the locals recorded."""

        async def before(pilot):
            screen = pilot.app.screen
            await until(pilot, lambda: screen.run_state == "paused")
            freeze(pilot)
            await step_until(pilot, lambda: screen.model.counts["yield"] == 3)
            await pilot.press("left_square_bracket")
            await until(pilot, lambda: screen.past_on_show)
            screen.query_one(TaskTable).select(1)
            await pilot.press("left_curly_bracket", "left_curly_bracket")
            await until(pilot, lambda: screen.past.event(screen.past.cursor).get("value") == "10")
            await until(pilot, lambda: "received = 5" in screen.query_one("#frame").text)

        app = CorodashApp(RunOptions(program("echo_send"), step=True, record_locals=True))
        assert snap_compare(app, run_before=before, terminal_size=(120, 34))

    def test_small_terminal(self, snap_compare):
        async def before(pilot):
            screen = pilot.app.screen
            await until(pilot, lambda: screen.run_state == "idle")
            freeze(pilot)
            screen.query_one(TaskTable).select(1)
            await until(pilot, lambda: "accumulator" in screen.query_one("#frame").text)

        app = CorodashApp(RunOptions(program("accumulator")))
        assert snap_compare(app, run_before=before, terminal_size=(80, 24))

    def test_wide_terminal_filtered_to_one_task(self, snap_compare):
        """Same-function tasks told apart by label; the filter bar says what is hidden."""

        async def before(pilot):
            screen = pilot.app.screen
            await until(pilot, lambda: screen.run_state == "idle", timeout=30)
            freeze(pilot)
            screen.query_one(TaskTable).select(3)
            await until(pilot, lambda: "courier" in screen.query_one("#frame").text)
            await pilot.press("f")
            await until(pilot, lambda: screen.query_one("#filter-bar").display)

        app = CorodashApp(RunOptions(program("same_function")))
        assert snap_compare(app, run_before=before, terminal_size=(200, 60))


class TestDebugging:
    """The search bar, a local opened in the frame pane, the breakpoints list."""

    def test_search_bar(self, snap_compare):
        async def before(pilot):
            screen = pilot.app.screen
            await until(pilot, lambda: screen.run_state == "idle", timeout=30)
            freeze(pilot)
            await pilot.press("slash", *"courier step")
            await until(pilot, lambda: screen.logs.search.matches != [])

        app = CorodashApp(RunOptions(program("same_function")))
        assert snap_compare(app, run_before=before, terminal_size=(120, 34))

    def test_expanded_locals(self, snap_compare):
        async def before(pilot):
            screen = pilot.app.screen
            await until(pilot, lambda: screen.run_state == "idle" and 1 in screen.model.tasks)
            freeze(pilot)
            screen.query_one(TaskTable).select(1)
            frame = screen.query_one("#frame")
            await until(pilot, lambda: "self = " in frame.text)
            [node] = [n for n in frame.root.children[0].children if "self" in str(n.label)]
            node.expand()
            await until(pilot, lambda: "position = 1" in frame.text)

        app = CorodashApp(RunOptions(program("playlist")))
        assert snap_compare(app, run_before=before, terminal_size=(120, 34))

    def test_breakpoints_list(self, snap_compare):
        async def before(pilot):
            screen = pilot.app.screen
            await until(pilot, lambda: screen.query_one(TaskTable).selected == 1)
            freeze(pilot)
            await pilot.press("b")
            await until(pilot, lambda: len(screen.breaks) == 1)
            await pilot.press("B", "y", "k")
            await until(pilot, lambda: len(screen.breaks) == 3)

        app = CorodashApp(RunOptions(program("two_counters"), step=True))
        assert snap_compare(app, run_before=before, terminal_size=(120, 34))


class TestCompare:
    def test_compare_view(self, snap_compare):
        """From recorded traces, so the figures on screen never move."""
        from corodash.compare import compare, summarize
        from corodash.trace_format import read_trace
        from corodash.tui.screens.compare import CompareScreen

        data = Path(__file__).parent / "data"
        patched = summarize("patched", read_trace(data / "three_sleepers.on.jsonl"))
        unpatched = summarize("unpatched", read_trace(data / "three_sleepers.off.jsonl"))
        result = compare(patched, unpatched)

        async def before(pilot):
            await until(pilot, lambda: str(pilot.app.screen.query_one("#blocks").render()) != "")

        app = CorodashApp(first=CompareScreen(comparison=result))
        assert snap_compare(app, run_before=before, terminal_size=(120, 40))
