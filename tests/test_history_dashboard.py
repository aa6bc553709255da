"""History mode in the dashboard: live (the program waits) and ``corodash view``."""

from __future__ import annotations

from conftest import corodash, program
from dashboard_helpers import dashboard, notifications, step_until, until

from corodash.event_sources import open_source
from corodash.session import RunOptions
from corodash.tui.app import CorodashApp
from corodash.tui.log_panes import PAST_LINES_KEPT
from corodash.tui.screens.dashboard import DashboardScreen
from corodash.tui.screens.history_keys import IN_HISTORY, PAST_EVENT_LINES, RECORDING_ONLY
from corodash.tui.widgets.status_line import StatusLine
from corodash.tui.widgets.timeline_view import TimelineView

KEY_NAMES = {
    "[": "left_square_bracket",
    "]": "right_square_bracket",
    "<": "less_than_sign",
    ".": "full_stop",
}


def status(screen: DashboardScreen) -> str:
    return str(screen.query_one(StatusLine).render())


def shown_states(screen: DashboardScreen) -> dict[str, tuple[str, int]]:
    return {row.label: (row.state, row.yields) for row in screen.table.model.tasks.values()}


async def test_stepping_back_shows_every_pane_as_of_the_past_and_dot_returns():
    app = CorodashApp(RunOptions(program("echo_send"), step=True, record_locals=True))
    async with app.run_test(size=(130, 36)) as pilot:
        screen = dashboard(pilot)
        await step_until(pilot, lambda: screen.model.counts["yield"] == 2)
        live_events = list(screen.panes.events.lines)
        await pilot.press("left_square_bracket")
        await until(pilot, lambda: screen.past_on_show)
        assert status(screen).startswith(" ◀ HISTORY: event ")
        cursor = screen.past.cursor
        assert screen.past.event(cursor + 1)["kind"] == "yield"  # one back from the yield
        assert shown_states(screen)["echo(1)"] == ("running", 1)
        assert screen.panes.events.lines[-1].split()[0] == str(cursor)
        assert screen.query_one(TimelineView).cursor == screen.past.event(cursor)["t"]
        # the program stays stopped, and is not driven from the past
        await pilot.press("n")
        assert notifications(pilot)[-1] == IN_HISTORY
        assert screen.model.counts["yield"] == 2 and screen.run_state == "paused"
        # back to the first yield: where its value came from, and its locals then
        await pilot.press("left_curly_bracket", "left_curly_bracket")
        await until(pilot, lambda: screen.past.event(screen.past.cursor)["kind"] == "yield")
        assert shown_states(screen)["echo(1)"] == ("suspended", 1)
        assert "start = 1" in screen.follower.frame.text
        assert "suspended at line 2, waiting for next() or send()" in screen.follower.frame.text
        await pilot.press("apostrophe")
        await until(pilot, lambda: screen.past.event(screen.past.cursor)["kind"] == "resume")
        await pilot.press("full_stop")
        await until(pilot, lambda: not screen.past_on_show)
        assert screen.table.model is screen.model
        assert screen.panes.events.lines == live_events
        assert "HISTORY" not in status(screen)
        await step_until(pilot, lambda: screen.model.counts["yield"] == 3)
        assert screen.model.tasks[1].last_value == "'abab'"


async def test_view_opens_a_recording_at_its_end_and_refuses_to_drive(trace, tmp_path):
    trace("ping_pong")
    recording = tmp_path / "ping_pong.cdrec"
    screen = DashboardScreen(RunOptions(str(recording)), recording=open_source(recording))
    app = CorodashApp(first=screen)
    async with app.run_test(size=(130, 36)) as pilot:
        await until(pilot, lambda: screen.past_on_show)
        assert status(screen).startswith(" ◀ HISTORY: event 13 of 14")
        assert screen.panes.output.lines[-1].endswith("│ main again")
        await pilot.press("less_than_sign")
        await until(pilot, lambda: screen.past.cursor == 11)
        assert {row.label: row.state for row in screen.table.model.tasks.values()} == {
            "main": "running",
            "ping_task": "suspended",
            "pong_task": "dead",
        }
        await pilot.press("less_than_sign", "less_than_sign")
        await until(pilot, lambda: screen.past.cursor == 6)
        assert screen.panes.output.lines[-1].endswith("│ pong 1")
        await pilot.press("right_square_bracket")
        await until(pilot, lambda: screen.past.cursor == 7)
        await pilot.press("w")
        assert notifications(pilot)[-1] == RECORDING_ONLY
        for key in ("r", "m", "v"):  # nothing here starts the recording as a program
            await pilot.press(key)
            assert notifications(pilot)[-1].startswith("a recording: nothing runs here")
        assert screen.bridge is None and isinstance(app.screen, DashboardScreen)
        await pilot.press("full_stop")
        await until(pilot, lambda: screen.past.cursor == 13)


def test_view_says_why_a_file_cannot_be_opened(tmp_path):
    done = corodash("view", str(tmp_path / "nothing.cdrec"))
    assert done.returncode == 2
    assert done.stderr.strip() == f"corodash: {tmp_path / 'nothing.cdrec'}: no such file"


async def test_locals_seen_at_stops_are_shown_as_of_those_stops():
    app = CorodashApp(RunOptions(program("echo_send"), step=True))  # no --record-locals
    async with app.run_test(size=(130, 36)) as pilot:
        screen = dashboard(pilot)
        await step_until(pilot, lambda: screen.model.counts["yield"] == 2)
        await until(pilot, lambda: "received = 5" in screen.follower.frame.text)
        await pilot.press("left_square_bracket")
        await until(pilot, lambda: screen.past_on_show)
        frame = screen.follower.frame.text
        assert "start = 1" in frame and "received" not in frame
        assert f"(as recorded at event {screen.past.cursor})" in frame
        await pilot.press("right_square_bracket")
        await until(pilot, lambda: "received = 5" in screen.follower.frame.text)


async def test_the_events_pane_in_history_holds_the_events_up_to_the_cursor_after_any_moves(
    trace, tmp_path
):
    trace("many_switches", "--", "2000")
    recording = tmp_path / "many_switches.cdrec"
    screen = DashboardScreen(RunOptions(str(recording)), recording=open_source(recording))
    app = CorodashApp(first=screen)
    async with app.run_test(size=(130, 36)) as pilot:
        await until(pilot, lambda: screen.past_on_show)
        for keys in (["["] * 3, ["<"] * 40, ["]"] * 5, ["k"], ["["] * 2, ["k"] * 4, ["."]):
            await pilot.press(*(KEY_NAMES.get(key, key) for key in keys))
            panes = screen.panes
            # The events up to the cursor, from a first line kept while steps go on: at
            # least the last PAST_LINES_KEPT events, at most the window given.
            window = screen.past.recent(PAST_EVENT_LINES)
            expected = [e["seq"] for e in window if panes.shown(e)]
            at_least = [e for e in window[-PAST_LINES_KEPT:] if panes.shown(e)]
            shown = [int(line.split()[0]) for line in panes.events.lines]
            assert (
                len(shown) >= len(at_least) and shown == expected[len(expected) - len(shown) :]
            ), keys
