"""The keys that run and drive the program: step, continue, pause, hub steps, and next,
send, throw, close and switch on the selected task.

A mixin of DashboardScreen: it reads the screen's run client, model and task table, and
shows answers in its status line. What cannot apply is refused before any dialog opens.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from corodash.model import RunModel, TaskRow
from corodash.run_client import RunClient
from corodash.session import RunOptions
from corodash.tui.widgets.logs_view import LogsView
from corodash.tui.widgets.task_table import TaskTable


class RunKeys:
    client: RunClient | None
    drive_refusal: Callable[[], str | None]
    model: RunModel
    logs: LogsView
    answer: str
    """The last drive command's outcome, shown in the status line."""
    options: RunOptions
    pause_warned = False
    """Attached: the first p said what pausing a service means."""

    def target(self) -> TaskRow | None:
        """The selected task; with none, the live task that appeared most recently."""
        selected = self.query_one(TaskTable).selected
        if selected is not None and selected in self.model.tasks:
            return self.model.tasks[selected]
        live = [row for row in self.model.tasks.values() if not row.finished and row.id]
        return live[-1] if live else None

    def _drivable(self, verb: str) -> TaskRow | None:
        """The target of ``verb``, or None with the reason shown, before any dialog opens."""
        row = self.target()
        problem = self.drive_refusal() or (
            self.client.drive_error(row, verb) if self.client else "no program"
        )
        if problem is not None:
            self.notify(problem, severity="warning")
            return None
        return row

    def _report(self, row: TaskRow) -> Callable[[dict[str, Any]], None]:
        def report(answer: dict[str, Any]) -> None:
            outcome = answer.get("outcome", "done")
            detail = answer.get("value", answer.get("error", ""))
            self.answer = f"{row.label}: {outcome} {detail}".strip()
            self._refresh_status()

        return report

    def action_drive(self, verb: str) -> None:
        if verb == "next" and self.logs.searching:  # n: the next match, as in less and vim
            self.logs.search_step(1)
            return
        row = self._drivable(verb)
        if row is not None:
            self.command(verb, row.id, then=self._report(row))

    def action_send(self) -> None:
        row = self._drivable("send")
        if row is None:
            return

        def chosen(value: str | None) -> None:
            if value is not None:
                self.command("send", row.id, value, then=self._report(row))

        from corodash.tui.screens.dialogs import SendDialog

        self.app.push_screen(SendDialog(row.label), chosen)

    def action_throw(self) -> None:
        row = self._drivable("throw")
        if row is None:
            return

        def chosen(choice: tuple[str, str] | None) -> None:
            if choice is not None:
                exception, text = choice
                args = [exception, *([text] if text else [])]
                self.command("throw", row.id, *args, then=self._report(row))

        from corodash.tui.screens.dialogs import ThrowDialog

        self.app.push_screen(ThrowDialog(row.label), chosen)

    def action_step(self) -> None:
        if self._require_paused("step"):
            self.command("step", 1)

    def action_resume(self) -> None:
        if self._require_paused("continue"):
            self.command("continue")

    def _require_paused(self, verb: str) -> bool:
        if self.run_state == "paused":
            return True
        reasons = {
            "running": "the program is running: p pauses it",
            "idle": "the top level has finished: drive a task with n, s, t, x or w",
            "ended": "the program has ended: r restarts it",
            "starting": "the program is starting",
        }
        self.notify(
            f"cannot {verb}: {reasons.get(self.run_state, self.run_state)}", severity="warning"
        )
        return False

    def action_hub_steps(self) -> None:
        """Whether steps stop at switches into gevent's hub (off: they follow user tasks)."""

        def toggled(data: dict[str, Any]) -> None:
            on = "stop at switches into the hub too" if data["hub"] else "follow your tasks"
            self.notify(f"steps {on}")

        self.command("hub", then=toggled)

    def action_pause(self) -> None:
        if self.run_state != "running":
            self.notify(f"nothing to pause: the program is {self.run_state}", severity="warning")
            return
        if self.options.attached is not None and not self.pause_warned:
            self.pause_warned = True  # a service that pauses serves nothing: say so first
            self.notify(
                "pausing stops the whole service at its next switch: it serves nothing "
                "until c. Press p again to pause it",
                severity="warning",
                timeout=8,
            )
            return
        self.command("pause")
