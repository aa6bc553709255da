"""The keys that stop a continued program somewhere: ``u`` runs to the selected task's
next event, ``b`` puts a breakpoint on the source pane's line (its cursor's once focused and moved:
tab focuses it; again: removes it),
``B`` lists them all.

A mixin of DashboardScreen: it sends its commands through the screen's ``command`` and
keeps the list the agent answers with, for the source pane's marks and the list screen.
"""

from __future__ import annotations

from typing import Any

from corodash.describe import break_text
from corodash.model import RunModel, TaskRow
from corodash.tui.stop_follower import StopFollower


class BreakKeys:
    model: RunModel
    follower: StopFollower
    answer: str
    breaks: list[dict[str, Any]]
    """The agent's breakpoints, as it last listed them."""
    carried: list[dict[str, Any]]
    """Breakpoints of the last run, to set again in a restarted one."""

    def action_until(self) -> None:
        row = self.target()
        if row is None:
            self.notify("no task to run to: select one", severity="warning")
        elif self._require_paused("run to"):
            self.command("until", row.id)
            self.answer = f"running to the next event of {row.label}"

    def action_break_line(self) -> None:
        file, line = self.follower.source.pointed
        if not file or not line:
            self.notify("no line on show: select a task in your code", severity="warning")
            return
        same = [b for b in self.breaks if (b["kind"], b["file"], b["line"]) == ("line", file, line)]
        if same:
            self.command("clear", same[0]["id"], then=self.breaks_changed)
        else:
            self.command("break", "line", file, line, then=self.breaks_changed)

    def action_breakpoints(self) -> None:
        from corodash.tui.screens.breakpoints import BreakpointsScreen

        row: TaskRow | None = self.target()
        self.app.push_screen(
            BreakpointsScreen(
                self.breaks, self.model.labels, row, self.command, self.breaks_changed
            )
        )

    def breaks_changed(self, data: dict[str, Any]) -> None:
        """The agent's list after a change: marks in the source pane, a count in the
        status line."""
        self.breaks_listed(data)
        on = sum(b["enabled"] for b in self.breaks)
        self.answer = f"{on} breakpoint{'s' if on != 1 else ''} on (B lists them)"
        self._refresh_status()

    def carry_breaks(self) -> None:
        """A restart: line and block breakpoints go to the new agent (task ids do not
        outlive a run, so breakpoints on tasks stay behind)."""
        self.carried = [b for b in self.breaks if b["kind"] in ("line", "block") and b["enabled"]]
        self.breaks = []
        self.follower.source.breaks = set()

    def restore_breaks(self) -> None:
        """The new agent's first word: set the carried breakpoints in it."""
        carried, self.carried = self.carried, []
        for found in carried:
            place = (found["file"], found["line"]) if found["kind"] == "line" else ()
            self.command("break", found["kind"], *place, then=self.breaks_listed)

    def stopped_at_break(self, found: dict[str, Any]) -> None:
        """The stop was a breakpoint's: say which (run-to goes once hit)."""
        self.answer = f"breakpoint {found['id']}: {break_text(found, self.model.labels)}"
        if found.get("once"):
            self.answer = f"reached {break_text(found, self.model.labels)}"
        self.command("breaks", then=self.breaks_listed)

    def breaks_listed(self, data: dict[str, Any]) -> None:
        self.breaks = data["breaks"]
        source = self.follower.source
        source.breaks = {
            (b["file"], b["line"]) for b in self.breaks if b["kind"] == "line" and b["enabled"]
        }
        source.redraw()
