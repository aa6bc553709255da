"""The dashboard driven by its keys, against real programs in a real agent."""

from __future__ import annotations

import json
import os
from pathlib import Path

from conftest import program
from dashboard_helpers import dashboard, notifications, until
from rich.text import Text
from textual.widgets import Static

from corodash.model import RunModel, TaskRow
from corodash.session import RunOptions
from corodash.trace_format import read_trace
from corodash.tui.app import CorodashApp
from corodash.tui.screens.compare import CompareScreen
from corodash.tui.screens.dashboard import DashboardScreen
from corodash.tui.screens.dialogs import SendDialog, ThrowDialog
from corodash.tui.screens.gallery import GalleryScreen
from corodash.tui.screens.help import HelpScreen
from corodash.tui.widgets.frame_view import FrameView
from corodash.tui.widgets.key_bar import KeyBar
from corodash.tui.widgets.source_view import SourceView, source_window
from corodash.tui.widgets.status_line import StatusLine
from corodash.tui.widgets.task_table import TaskTable
from corodash.tui.widgets.timeline_view import TimelineView


def app_for(name: str, run: bool = False, patch: str = "auto") -> CorodashApp:
    return CorodashApp(RunOptions(program(name), step=not run, patch=patch))


async def test_gallery_opens_a_demo_paused_before_its_first_event():
    app = CorodashApp()
    async with app.run_test(size=(120, 36)) as pilot:
        assert isinstance(app.screen, GalleryScreen)
        assert len(app.screen.demos) == 9
        await pilot.press("down", "enter")
        screen = dashboard(pilot)
        assert screen.options.script.endswith("generator.py")
        await until(pilot, lambda: screen.run_state == "paused")
        assert [kind for kind, _ in screen.model.counts.items()] == ["spawn", "resume"]
        await pilot.press("escape")
        assert isinstance(app.screen, GalleryScreen)
        fourth = str(app.screen.demos[3].path)
        await pilot.press("4")  # a demo by its number
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        assert app.screen.options.script == fourth
        await pilot.press("escape", "question_mark")
        assert isinstance(app.screen, HelpScreen)


async def test_escape_offers_the_gallery_and_z_fills_the_screen_with_a_pane():
    app = app_for("echo_send")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = dashboard(pilot)
        await until(pilot, lambda: screen.run_state == "paused")
        await pilot.press("escape")
        assert isinstance(app.screen, GalleryScreen)
        await pilot.press("escape")
        assert app.screen is screen and screen.run_state == "paused"
        await pilot.press("z")  # the focused pane (tasks and frame) fills the screen
        assert screen.maximized is screen.query_one("#left")
        await pilot.press("z")
        assert screen.maximized is None


async def test_space_steps_one_event_and_the_source_follows():
    app = app_for("echo_send")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = dashboard(pilot)
        await until(pilot, lambda: screen.run_state == "paused" and screen.position)
        await pilot.press("space")
        await until(
            pilot, lambda: screen.model.counts["yield"] == 1 and screen.run_state == "paused"
        )
        await until(
            pilot, lambda: "echo_send.py:2" in str(screen.query_one(SourceView).border_title)
        )
        row = screen.model.tasks[1]
        assert (row.label, row.state, row.yields) == ("echo(1)", "suspended", 1)
        await pilot.press("space", "space")
        await until(pilot, lambda: screen.model.counts["yield"] == 2)
        assert screen.model.tasks[1].last_value == "10"


async def test_a_stop_asks_for_tasks_then_where_once():
    app = app_for("echo_send")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = dashboard(pilot)
        await until(pilot, lambda: screen.run_state == "paused" and screen.position)
        session = screen.client.session
        sent: list[str] = []
        send = session.send
        session.send = lambda name, *args: (sent.append(name), send(name, *args))[1]
        await pilot.press("space")
        await until(pilot, lambda: screen.model.counts["yield"] == 1 and "where" in sent)
        await until(pilot, lambda: "echo_send.py:2" in screen.query_one(FrameView).text)
        assert sent == ["step", "tasks", "where"]


async def test_drive_keys_after_the_top_level_ends():
    app = app_for("accumulator", run=True)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = dashboard(pilot)
        await until(pilot, lambda: screen.run_state == "idle" and 1 in screen.model.tasks)
        screen.query_one(TaskTable).select(1)
        await pilot.press("n")
        await until(pilot, lambda: screen.model.tasks[1].yields == 1)
        await pilot.press("s")
        assert isinstance(app.screen, SendDialog)
        await pilot.press("4", "2", "enter")
        await until(pilot, lambda: screen.model.tasks[1].last_value == "42")
        await pilot.press("t")
        assert isinstance(app.screen, ThrowDialog)
        await pilot.press(*"oops", "enter")
        await until(pilot, lambda: screen.model.counts["output"] == 1)
        assert list(screen.panes.recent)[-1]["value"] == "42"  # caught: it yields its total again
        await pilot.press("x")
        await until(pilot, lambda: screen.model.tasks[1].state == "closed")
        await pilot.press("n")
        await until(pilot, lambda: "acc is closed: next cannot resume it" in notifications(pilot))


async def test_send_dialog_shows_a_parse_error_inline_and_stays_open():
    app = app_for("accumulator", run=True)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = dashboard(pilot)
        await until(pilot, lambda: screen.run_state == "idle" and 1 in screen.model.tasks)
        screen.query_one(TaskTable).select(1)
        await pilot.press("s", *"__import__('os')", "enter")
        assert isinstance(app.screen, SendDialog)
        error = str(app.screen.query_one("#error").render())
        assert "is not a Python literal" in error
        await pilot.press("escape")
        assert app.screen is screen
        await pilot.press("s", *"5", "enter")
        await until(
            pilot,
            lambda: any("TypeError: can't send non-None value" in n for n in notifications(pilot)),
        )


async def test_switch_into_a_greenlet_left_suspended():
    app = app_for("left_suspended", run=True)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = dashboard(pilot)
        await until(pilot, lambda: screen.run_state == "idle" and 1 in screen.model.tasks)
        screen.query_one(TaskTable).select(1)
        await pilot.press("w")
        await until(pilot, lambda: screen.model.tasks[1].state == "dead")
        assert ("output", "worker") in [(e["kind"], e["name"]) for e in screen.panes.recent]
        await until(pilot, lambda: screen.answer != "")
        assert screen.answer == "paused_worker: switched back 'worker done'"
        assert screen.answer in str(screen.query_one(StatusLine).render())


async def test_actions_that_make_no_sense_explain_why():
    app = app_for("ping_pong", run=True)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = dashboard(pilot)
        await until(pilot, lambda: screen.run_state == "idle" and 2 in screen.model.tasks)
        screen.query_one(TaskTable).select(1)
        await pilot.press("n", "space", "p")
        await until(pilot, lambda: len(notifications(pilot)) >= 3)
        said = notifications(pilot)
        assert "ping_task is a greenlet: next applies to a generator or iterator" in said
        assert any(n.startswith("cannot step: the top level has finished") for n in said)
        assert "nothing to pause: the program is idle" in said


async def test_pause_stops_a_program_that_never_yields_and_quit_leaves_no_process():
    app = app_for("never_yields", run=True)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = dashboard(pilot)
        await until(
            pilot, lambda: screen.run_state == "running" or screen.model.counts["output"] == 1
        )
        await pilot.press("p")
        await until(pilot, lambda: screen.run_state == "paused")
        assert screen.position["line"] in (3, 4)
        pid = screen.bridge.session.pid
        await pilot.press("q")
    assert not _alive(pid)


async def test_patch_mode_restarts_the_program_in_a_fresh_agent():
    app = app_for("gevent_patched_sleep", run=True)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = dashboard(pilot)
        await until(pilot, lambda: screen.run_state == "idle", timeout=20)
        first_pid = screen.bridge.session.pid
        assert screen.model.patches and all(applied for _, applied in screen.model.patches)
        await pilot.press("m", "m")  # auto -> on -> off
        await until(
            pilot, lambda: screen.options.patch == "off" and screen.run_state == "idle", timeout=20
        )
        assert screen.bridge.session.pid != first_pid
        assert screen.model.patches == [("all", False)]
        assert not _alive(first_pid)


async def test_export_writes_the_whole_trace(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = app_for("round_robin", run=True)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = dashboard(pilot)
        await until(pilot, lambda: screen.run_state == "idle")
        await pilot.press("e")
        await until(pilot, lambda: list(tmp_path.glob("corodash-trace-*.chrome.json")))
    [exported] = list(tmp_path.glob("corodash-trace-*.jsonl"))
    events = read_trace(exported)
    [chrome] = list(tmp_path.glob("corodash-trace-*.chrome.json"))
    assert json.loads(chrome.read_text())["displayTimeUnit"] == "ms"
    assert [e["seq"] for e in events] == list(range(len(events)))
    assert sum(e["kind"] == "yield" for e in events) == 3


async def test_filters_and_help():
    app = app_for("round_robin", run=True)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = dashboard(pilot)
        await until(pilot, lambda: screen.run_state == "idle")
        bar = screen.query_one("#filter-bar", Static)
        assert not bar.display
        screen.query_one(TaskTable).select(1)
        await pilot.press("f")
        log = screen.query_one("#events")
        assert len(log.lines) >= 3  # its spawn, its resumes and yields
        assert all("task('a', 2)" in line or "a step" in line for line in log.lines)
        assert bar.display
        assert str(bar.render()) == "filtered: task task('a', 2) (f: all tasks)"
        await pilot.press("k")
        assert str(bar.render()) == (
            "filtered: task task('a', 2) (f: all tasks) · generators events only (k: switches)"
        )
        await pilot.press("f", *"kkkk")
        assert not bar.display and str(bar.render()) == ""
        await pilot.press("2")
        assert screen.query_one("#logs").active == "output-tab"
        await pilot.press("1")
        assert screen.query_one("#logs").active == "events-tab"
        for _ in range(2):  # the same help screen, opened again
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            await pilot.press("escape")
            assert isinstance(app.screen, DashboardScreen)


async def test_a_program_that_runs_before_its_first_stop_is_shown_running():
    """Stepping, a program that prints and computes before any coroutine event is not
    stopped anywhere yet: it runs, and the status line says so (it said "starting")."""
    app = app_for("never_yields")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = dashboard(pilot)
        await until(pilot, lambda: screen.model.counts["output"] == 1)
        status = screen.query_one(StatusLine)
        await until(pilot, lambda: "▶ running" in str(status.render()))
        assert screen.run_state == "starting"  # the agent has not stopped it yet


async def test_a_killed_agent_is_shown_and_r_restarts():
    app = app_for("never_yields", run=True)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = dashboard(pilot)
        await until(pilot, lambda: screen.model.counts["output"] == 1)
        screen.bridge.session.kill()
        await until(pilot, lambda: screen.run_state == "ended")
        assert "killed" in screen.status_detail
        assert any("the program killed" in n for n in notifications(pilot))
        await pilot.press("r")
        await until(
            pilot, lambda: screen.run_state == "running" and screen.model.counts["output"] == 1
        )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split()[2] != "Z"


async def test_compare_view_runs_both_ways_and_says_what_happened():
    app = app_for("three_sleepers", run=True)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = dashboard(pilot)
        await until(pilot, lambda: screen.run_state == "idle", timeout=20)
        await pilot.press("v")
        assert isinstance(app.screen, CompareScreen)
        compare = app.screen
        await until(pilot, lambda: compare.comparison is not None, timeout=60)
        verdict = str(compare.query_one("#verdict").render())
        assert verdict.startswith("Unpatched, time.sleep blocked the hub")
        assert compare.comparison.speedup > 2
        lanes = compare.query_one("#unpatched", TimelineView).lanes
        assert sum(len(lane.blocks) for lane in lanes) == 3
        await pilot.press("escape")
        assert app.screen is screen


async def test_compare_view_says_a_run_failed_and_claims_no_speed_up():
    app = CorodashApp()
    async with app.run_test(size=(120, 40)) as pilot:
        compare = CompareScreen(RunOptions(program("failing_greenlets")))
        await app.push_screen(compare)
        await until(pilot, lambda: compare.comparison is not None, timeout=60)
        verdict = str(compare.query_one("#verdict").render())
        assert verdict == (
            "No speed-up: both runs failed: fragile(0) raised ValueError: greenlet 0 broke."
        )
        assert "speed-up" not in str(compare.query_one("#figures").render())


async def test_leaving_the_compare_view_stops_its_runs():
    app = CorodashApp()
    async with app.run_test(size=(120, 40)) as pilot:
        compare = CompareScreen(RunOptions(program("ticks_forever")))
        await app.push_screen(compare)
        runs = compare.runs
        await until(pilot, lambda: runs._current is not None and runs._current.counts["output"])
        await pilot.press("escape")
        await until(pilot, lambda: runs._current is None)  # not the 60 s timeout
        assert runs.cancelled == "stopped" and compare.comparison is None


async def test_timeline_tab_shows_lanes_and_zooms():
    app = app_for("gevent_join", run=True)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = dashboard(pilot)
        await until(pilot, lambda: screen.run_state == "idle", timeout=20)
        await pilot.press("g")
        view = screen.query_one(TimelineView)
        await until(pilot, lambda: len(view.lanes) >= 3)
        assert {lane.name for lane in view.lanes} >= {"main", "hub", "sleeper('a', 2)"}
        per_column = view.seconds_per_column
        await pilot.press("plus")
        assert view.seconds_per_column == per_column / 2
        await pilot.press("right")
        assert view.origin > 0


async def test_an_error_at_the_top_level_shows_the_traceback_and_a_hint():
    app = app_for("removed_name", run=True)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = dashboard(pilot)
        await until(pilot, lambda: screen.run_state == "idle")
        await until(pilot, lambda: screen.query_one("#logs").active == "output-tab")
        lines = screen.query_one("#output").lines
        assert any("ImportError: cannot import name 'Iterable'" in line for line in lines)
        assert any(
            "write 'from collections.abc import Iterable'" in n for n in notifications(pilot)
        )


async def test_the_key_bar_lists_the_keys_and_a_click_presses_one():
    app = app_for("echo_send")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = dashboard(pilot)
        await until(pilot, lambda: screen.run_state == "paused" and screen.position)
        bar = screen.query_one(KeyBar)
        shown = bar.render().plain
        assert shown.startswith(" n next  s send  t throw  x close  w switch  space step ")
        assert shown.endswith(" ? help  q quit ") and "b break … " in shown  # no palette key
        before = sum(screen.model.counts.values())
        await pilot.click(KeyBar, offset=(shown.index("space step") + 2, 0))
        await until(pilot, lambda: sum(screen.model.counts.values()) == before + 1)
        await until(pilot, lambda: screen.run_state == "paused")


async def test_at_80_columns_the_key_bar_keeps_help_and_quit_and_marks_the_cut():
    app = app_for("echo_send")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = dashboard(pilot)
        await until(pilot, lambda: screen.run_state == "paused")
        shown = screen.query_one(KeyBar).render().plain
        assert len(shown) == 80
        assert shown.startswith(" n next  s send  t throw  x close  w switch  space step ")
        assert shown.endswith(" ? help  q quit ")
        assert "space step … " in shown or "c continue … " in shown  # whole entries, then …


def test_the_source_window_is_numbered_with_the_current_line_marked():
    lines = ["def ticks():", "    n = 0", "    while True:", "        yield n"]
    window = source_window([Text(line) for line in lines], 2, 4, 3)
    assert window.plain.splitlines() == [
        "  2     n = 0",
        "❱ 3     while True:",
        "  4         yield n",
    ]
    current = window.plain.index("    while")
    assert any(
        span.start <= current < span.end and "grey23" in str(span.style) for span in window.spans
    )


async def test_the_key_bar_takes_the_new_colours_when_the_theme_changes():
    app = app_for("echo_send")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = dashboard(pilot)
        await until(pilot, lambda: screen.run_state == "paused")
        bar = screen.query_one(KeyBar)

        def key_colour() -> str:
            return str(next(s.style.foreground for s in bar.render().spans if s.style.bold))

        before = key_colour()
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await until(pilot, lambda: key_colour() != before)


async def test_long_source_lines_are_cut_not_wrapped(tmp_path: Path):
    script = tmp_path / "long_line.py"
    script.write_text(f"def gen():\n    yield {'1' * 300}\n\n\ng = gen()\nnext(g)\n")
    app = CorodashApp(RunOptions(str(script), step=True))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = dashboard(pilot)
        await until(pilot, lambda: screen.run_state == "paused" and screen.position)
        source = screen.query_one(SourceView)
        await until(pilot, lambda: "long_line.py" in str(source.border_title))
        await pilot.pause()
        assert source.size.height == 6  # one row per line of the file, the long one cut


async def test_output_is_shown_not_obeyed_and_a_progress_line_shows_its_latest_state():
    app = app_for("terminal_tricks", run=True)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = dashboard(pilot)
        await until(pilot, lambda: screen.run_state == "idle")
        await until(pilot, lambda: screen.panes.output.lines[-1:] == [f"{'main':>12} │ after"])
        assert screen.panes.output.lines == [
            f"{'main':>12} │ \\x1b[2J\\x1b[Hwiped?",
            f"{'main':>12} │ step 3 of 3",
            f"{'main':>12} │ after",
        ]
        assert any("main printed: \\x1b[2J\\x1b[Hwiped?" in e for e in screen.panes.events.lines)


async def test_the_program_reads_a_line_typed_under_its_output():
    app = app_for("asks_names", run=True)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = dashboard(pilot)
        await until(pilot, lambda: screen.client.reading)
        stdin = screen.query_one("#stdin")
        assert stdin.has_focus
        assert screen.query_one("#logs").active == "output-tab"
        await until(pilot, lambda: screen.panes.output.lines[-1:] == [f"{'main':>12} │ name? "])
        await pilot.press(*"Ada", "enter")
        await until(pilot, lambda: screen.client.reading and screen.model.counts["yield"] == 2)
        await pilot.press(*"Grace", "enter")
        await until(pilot, lambda: screen.run_state == "idle")
        await until(pilot, lambda: screen.panes.output.lines[-1:] == [f"{'main':>12} │ done"])
        assert screen.panes.output.lines == [
            f"{'main':>12} │ name? Ada",
            f"{'greet':>12} │ hello Ada",
            f"{'main':>12} │ name? Grace",
            f"{'greet':>12} │ hello Grace",
            f"{'main':>12} │ done",
        ]


async def test_a_trace_file_that_cannot_be_written_is_said_and_the_panes_go_on():
    app = app_for("three_sleepers", run=True)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = dashboard(pilot)
        await until(pilot, lambda: screen.bridge is not None)

        def full(records, extras):
            raise OSError(28, "No space left on device")

        screen.bridge.writer.write_records = full
        await until(pilot, lambda: screen.run_state == "idle")
        await until(pilot, lambda: any("No space left" in n for n in notifications(pilot)))
        assert sum(screen.model.counts.values()) > 0
        await pilot.press("e")
        await until(pilot, lambda: any(n.startswith("cannot export") for n in notifications(pilot)))


async def test_search_finds_events_steps_through_them_and_selects_the_task():
    app = app_for("same_function", run=True)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = dashboard(pilot)
        await until(pilot, lambda: screen.run_state == "idle", timeout=20)
        await pilot.press("slash", *"COURIER step")
        events = screen.panes.events
        status = screen.query_one("#search-status", Static)
        assert str(status.render()) == "2 of 2: n next, N previous"
        assert "courier step 1" in events.lines[events.marked]
        await pilot.press("enter")
        courier = screen.model.resolve("worker('courier')")
        await until(pilot, lambda: screen.query_one(TaskTable).selected == courier.id)
        await pilot.press("n")  # the next match, wrapping round: no next() is sent
        assert "courier step 0" in events.lines[events.marked]
        assert str(status.render()) == "1 of 2: n next, N previous"
        await pilot.press("N")
        assert "courier step 1" in events.lines[events.marked]
        await pilot.press("escape")
        assert not screen.logs.searching and events.marked is None
        await pilot.press("n")  # no search: n drives again (and is refused: a gevent task)
        await until(pilot, lambda: any("next applies" in n for n in notifications(app)))


def test_the_where_column_keeps_the_line_number_and_marks_a_cut():
    model = RunModel()
    model.tasks[1] = TaskRow(1, "cook", "gevent", "dead", 0, file="/x/gevent_spawn.py", line=11)
    model.tasks[1].globals = ["soup"]
    table = TaskTable(model)
    row = model.tasks[1]
    assert table._where(row, 40) == "gevent_spawn.py:11  (parent main, = soup)"[:39] + "…"
    assert table._where(row, 25) == "gevent_spawn.py:11  (par…"
    assert table._where(row, 19) == "gevent_spawn.py:11"
    assert table._where(row, 8) == "…n.py:11"
    model.tasks[2] = TaskRow(2, "main", "greenlet", "running", file="/x/echo.py", line=11)
    model.tasks[2].function = "<module>"
    assert table._where(model.tasks[2], 20) == "echo.py:11 <module>"
    assert table._where(model.tasks[2], 15) == "echo.py:11 <mo…"


async def test_a_line_breakpoint_set_from_the_source_pane_stops_the_program_there():
    app = app_for("two_counters")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = dashboard(pilot)
        source = screen.query_one(SourceView)
        await until(pilot, lambda: "two_counters.py:4" in str(source.border_title))
        await pilot.press("tab", "tab")  # the frame pane, then the source pane with its cursor
        assert source.has_focus
        await pilot.press("down", "down", "down", "b")
        await until(pilot, lambda: len(screen.breaks) == 1)
        assert (screen.breaks[0]["line"], screen.breaks[0]["kind"]) == (7, "line")
        assert "●" in str(source.render()).splitlines()[6]
        await pilot.press("c")
        await until(pilot, lambda: screen.answer == "breakpoint 1: line 7 of two_counters.py")
        await until(pilot, lambda: "two_counters.py:7" in str(source.border_title))
        assert screen.model.counts["yield"] == 0  # stopped before the line ran
        await pilot.press("B")
        from corodash.tui.screens.breakpoints import BreakpointsScreen

        assert isinstance(app.screen, BreakpointsScreen)
        await pilot.press("space")  # off
        await until(pilot, lambda: not screen.breaks[0]["enabled"])
        await pilot.press("escape")
        await pilot.press("c")
        await until(pilot, lambda: screen.run_state == "idle")
        assert screen.model.counts["yield"] == 6  # five of the counter, one of words


async def test_run_to_the_selected_tasks_next_event():
    app = app_for("two_counters")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = dashboard(pilot)
        await until(pilot, lambda: screen.query_one(TaskTable).selected == 1)
        await pilot.press("u")
        await until(pilot, lambda: screen.answer == "reached the next event of counter(5)")
        assert screen.model.tasks[1].state == "suspended" and screen.model.counts["yield"] == 1
        assert screen.breaks == []  # a run-to goes once reached


async def first_tasks_frame(pilot) -> tuple[DashboardScreen, FrameView]:
    """Once the top level has finished: the frame pane, showing task 1."""
    screen = dashboard(pilot)
    await until(pilot, lambda: screen.run_state == "idle" and 1 in screen.model.tasks)
    screen.query_one(TaskTable).select(1)
    return screen, screen.query_one(FrameView)


async def test_the_frame_pane_opens_a_local_into_its_attributes():
    app = app_for("playlist", run=True)
    async with app.run_test(size=(120, 36)) as pilot:
        _, frame = await first_tasks_frame(pilot)
        await until(pilot, lambda: "self = " in frame.text)
        locals_ = frame.root.children[0].children
        [self_node] = [node for node in locals_ if str(node.label).startswith("self")]
        assert self_node.allow_expand
        self_node.expand()
        await until(pilot, lambda: "position = 1" in frame.text)
        assert "songs = ['intro', 'verse', 'chorus']" in frame.text


async def test_choosing_an_outer_frame_shows_its_locals_and_line():
    app = app_for("parked_greenlet", run=True)
    async with app.run_test(size=(120, 36)) as pilot:
        screen, frame = await first_tasks_frame(pilot)
        await until(pilot, lambda: "depth = 4" in frame.text)
        frame.select_node(frame.root.children[0])  # branch, the outer frame
        await until(pilot, lambda: "rounds = 1" in frame.text)
        source = screen.query_one(SourceView)
        await until(pilot, lambda: "parked_greenlet.py:13" in str(source.border_title))


def test_a_task_has_one_colour_in_the_table_the_events_and_the_timeline():
    from corodash.tui.task_colours import PALETTE, EventHighlighter, colour_of

    label = "worker('baker', 2)"
    colour = colour_of(label)
    assert colour in PALETTE
    for line in (f"    12 {label} printed: x", f"     3 new gevent {label}"):
        text = Text(line)
        EventHighlighter().highlight(text)
        [span] = text.spans
        assert (text.plain[span.start : span.end], span.style) == (label, colour)
    model = RunModel()
    model.tasks[1] = TaskRow(1, "worker", "gevent", "dead", label=label)
    table = TaskTable(model)
    label_segment = table._segments(model.tasks[1])[1]
    assert label_segment.style.color.name == colour
    assert colour_of("main") == colour_of("hub") == ""


async def test_a_restart_keeps_the_line_breakpoints():
    app = app_for("two_counters")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = dashboard(pilot)
        await until(pilot, lambda: screen.query_one(TaskTable).selected == 1)
        await pilot.press("tab", "tab", "down", "down", "down", "b")
        await until(pilot, lambda: len(screen.breaks) == 1)
        first_pid = screen.bridge.session.pid
        await pilot.press("r")
        await until(pilot, lambda: screen.bridge.session.pid != first_pid)
        await until(pilot, lambda: [b["line"] for b in screen.breaks] == [7])
        assert screen.breaks[0]["hits"] == 0  # set anew in the new agent
        await pilot.press("c")
        await until(pilot, lambda: screen.answer == "breakpoint 1: line 7 of two_counters.py")
