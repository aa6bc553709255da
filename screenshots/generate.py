"""Regenerate the SVG screenshots in this folder from real runs (``make screenshots``).

Each shot runs a real program in a real agent, drives the dashboard with Textual's pilot
(the same helpers as the tests) and saves what the screen shows.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent / "tests"))

from dashboard_helpers import step_until, until  # noqa: E402
from textual.pilot import Pilot  # noqa: E402

from corodash.demos import demo_path  # noqa: E402
from corodash.session import RunOptions  # noqa: E402
from corodash.tui.app import CorodashApp  # noqa: E402
from corodash.tui.widgets.task_table import TaskTable  # noqa: E402

Shot = Callable[[Pilot], Awaitable[None]]


async def settled(pilot: Pilot) -> None:
    """Every message handled and the screen redrawn (the agent's answers are in)."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()


async def gallery(pilot: Pilot) -> None:
    await pilot.press("down", "down")
    await settled(pilot)


async def stepping(pilot: Pilot) -> None:
    screen = pilot.app.screen
    await step_until(pilot, lambda: screen.model.counts["yield"] == 3)
    await settled(pilot)


async def greenlets(pilot: Pilot) -> None:
    screen = pilot.app.screen
    await step_until(pilot, lambda: screen.model.counts["switch"] == 4)
    await settled(pilot)


async def gevent_done(pilot: Pilot) -> None:
    screen = pilot.app.screen
    await pilot.press("c")
    await until(pilot, lambda: screen.run_state == "idle", timeout=30)
    screen.query_one(TaskTable).select(2)
    await settled(pilot)


async def send_dialog(pilot: Pilot) -> None:
    screen = pilot.app.screen
    await pilot.press("c")
    await until(pilot, lambda: screen.run_state == "idle")
    screen.query_one(TaskTable).select(1)
    await pilot.press("s", *"(1, 'two')")
    await settled(pilot)


async def compare_view(pilot: Pilot) -> None:
    screen = pilot.app.screen
    await pilot.press("c")
    await until(pilot, lambda: screen.run_state == "idle", timeout=30)
    await pilot.press("v")
    compare = pilot.app.screen
    await until(pilot, lambda: getattr(compare, "comparison", None) is not None, timeout=90)
    await settled(pilot)


async def search(pilot: Pilot) -> None:
    screen = pilot.app.screen
    await pilot.press("c")
    await until(pilot, lambda: screen.run_state == "idle", timeout=30)
    await pilot.press("slash", *"rice")
    await until(pilot, lambda: screen.logs.search.matches != [])
    await settled(pilot)


async def breakpoints(pilot: Pilot) -> None:
    screen = pilot.app.screen
    await until(pilot, lambda: screen.run_state == "paused" and screen.position)
    await pilot.press("tab", "tab", "down", "down", "b")
    await until(pilot, lambda: len(screen.breaks) == 1)
    await pilot.press("c")
    await until(pilot, lambda: screen.answer.startswith("breakpoint 1"))
    await pilot.press("B")
    await settled(pilot)


async def history(pilot: Pilot) -> None:
    """Back in time: two switches before the present, the locals as recorded then."""
    screen = pilot.app.screen
    await step_until(pilot, lambda: screen.model.counts["switch"] == 6)
    await pilot.press("less_than_sign", "less_than_sign")
    await until(pilot, lambda: screen.past_on_show)
    screen.query_one(TaskTable).select(1)  # ball: its locals as its last switch left them
    await until(pilot, lambda: "hit = " in screen.follower.frame.text)
    await settled(pilot)


SHOTS: list[tuple[str, RunOptions | None, Shot]] = [
    ("gallery", None, gallery),
    ("stepping-a-generator", RunOptions(str(demo_path("send")), step=True), stepping),
    ("greenlets-mid-switch", RunOptions(str(demo_path("greenlets")), step=True), greenlets),
    ("gevent-finished", RunOptions(str(demo_path("gevent_spawn")), step=True), gevent_done),
    ("send-dialog", RunOptions(str(demo_path("send")), step=True), send_dialog),
    ("compare", RunOptions(str(demo_path("sleep_patching")), step=True), compare_view),
    ("search", RunOptions(str(demo_path("gevent_spawn")), step=True), search),
    ("breakpoints", RunOptions(str(demo_path("generator")), step=True), breakpoints),
    (
        "history",
        RunOptions(str(demo_path("greenlets")), step=True, record_locals=True),
        history,
    ),
]


async def take(name: str, options: RunOptions | None, shot: Shot) -> None:
    app = CorodashApp(options)
    async with app.run_test(size=(130, 38)) as pilot:
        if options is not None:
            await until(pilot, lambda: getattr(app.screen, "run_state", "") != "starting")
        await shot(pilot)
        app.save_screenshot(f"{name}.svg", str(HERE))
        print(f"screenshots/{name}.svg")


def main() -> None:
    for name, options, shot in SHOTS:
        asyncio.run(take(name, options, shot))


if __name__ == "__main__":
    main()
