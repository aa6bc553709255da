"""Helpers for driving the dashboard with Textual's pilot against a real agent."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.pilot import Pilot

from corodash.tui.screens.dashboard import DashboardScreen


async def until(pilot: Pilot, condition: Callable[[], bool], timeout: float = 15) -> None:
    """Let the app run until ``condition()`` holds (the agent answers asynchronously)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the dashboard did not reach the expected state in time")
        await pilot.pause(0.02)
    await pilot.pause()


def dashboard(pilot: Pilot) -> DashboardScreen:
    screen = pilot.app.screen
    assert isinstance(screen, DashboardScreen), type(screen)
    return screen


def events_of(screen: DashboardScreen) -> list[tuple[str, str]]:
    return [(e["kind"], e["name"]) for e in screen.panes.recent]


def notifications(pilot: Pilot) -> list[str]:
    return [n.message for n in pilot.app._notifications]


async def step_until(pilot: Pilot, condition: Callable[[], bool], limit: int = 30) -> None:
    """Press space (one event) until ``condition()`` holds at a pause."""
    screen = dashboard(pilot)
    for _ in range(limit):
        await until(pilot, lambda: screen.run_state == "paused")
        if condition():
            return
        seen = sum(screen.model.counts.values())
        await pilot.press("space")
        await until(
            pilot,
            lambda seen=seen: (
                sum(screen.model.counts.values()) > seen and screen.run_state == "paused"
            ),
        )
    raise AssertionError("stepping never reached the expected state")
