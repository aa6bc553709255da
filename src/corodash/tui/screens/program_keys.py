"""``m``, ``r`` and ``v``: the keys that start the program afresh: with another patch mode,
as it was, or twice side by side (compare). An attached process and a recording start
nothing of their own.

A mixin of DashboardScreen.
"""

from __future__ import annotations

from corodash.session import RunOptions

PATCH_CYCLE = {"auto": "on", "on": "off", "off": "auto"}


class ProgramKeys:
    options: RunOptions
    recording: object | None
    paused_at_start: bool

    def _can_start_programs(self, what: str) -> bool:
        """An attached process is watched as it is, a recording looked through: neither
        starts a program of its own (``what``: the key that would)."""
        if self.recording is not None:
            reason = "a recording: nothing runs here (corodash SCRIPT runs a program)"
        elif self.options.attached is not None:
            reason = "attached to a running process: q detaches"
        else:
            return True
        self.notify(f"{reason}; {what} would start a program of its own", severity="warning")
        return False

    def action_patch(self) -> None:
        if not self._can_start_programs("m"):
            return
        mode = PATCH_CYCLE[self.options.patch]
        self.options = self.options.replace(patch=mode)
        self.notify(
            f"patch mode {mode}: patching cannot be undone in a process, so the "
            "program restarts in a fresh agent"
        )
        self.action_restart()

    def action_restart(self) -> None:
        """A fresh agent, stopped at its start only if this run was stopped: a run that
        was running restarts running, so timing programs measure the program, not a wait."""
        if not self._can_start_programs("r"):
            return
        if self.run_state != "starting":
            self.paused_at_start = self.run_state == "paused"
        self.stop_run()
        self.start_run()

    def action_compare(self) -> None:
        if not self._can_start_programs("v"):
            return
        from corodash.tui.screens.compare import CompareScreen

        self.app.push_screen(CompareScreen(self.options.replace(step=False, stay=False)))
