"""``e``: export the run's whole trace (JSON Lines and a Chrome trace), in a thread worker
so the keys keep answering; ``e`` again while it works cancels it. Its progress shows in
the status line.

A mixin of DashboardScreen; the worker's outcome is handled in one place
(``on_worker_state_changed``).
"""

from __future__ import annotations

import os

from textual import work
from textual.worker import Worker, WorkerState, get_current_worker

from corodash.export import ExportCancelled, export_run
from corodash.session import RunOptions
from corodash.tui.bridge import SessionBridge

GROUP = "export"


class ExportKey:
    options: RunOptions
    bridge: SessionBridge | None
    job: str
    """What a background job is doing, for the status line ("" when none is)."""
    _dirty: bool

    def action_export(self) -> None:
        running = [w for w in self.workers if w.group == GROUP and w.is_running]
        if running:
            for worker in running:
                worker.cancel()
            return
        if self.bridge is None:
            if getattr(self, "recording", None) is not None:
                self.notify(
                    "this is a recording: corodash export FILE --jsonl OUT --chrome OUT "
                    "converts it",
                    severity="information",
                )
            return
        if self.bridge.write_error:
            self.notify(f"cannot export: {self.bridge.write_error}", severity="error")
            return
        self.job = "exporting: e cancels"
        self._dirty = True
        self._export(self.bridge.trace_path)

    @work(thread=True, exclusive=True, group=GROUP, exit_on_error=False, description="export")
    def _export(self, recording: str) -> tuple[str, str, int]:
        """The run so far, from the recording the dashboard keeps of it (as complete as the
        last block written)."""
        worker = get_current_worker()

        def progress(what: str, done: float) -> None:
            self.job = f"{what} {done:.0%}: e cancels"
            self._dirty = True

        def cancelled() -> bool:
            return worker.is_cancelled

        return export_run(recording, progress=progress, cancelled=cancelled)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group != GROUP or not worker.is_finished:
            return
        self.job = ""
        self._dirty = True
        if event.state == WorkerState.SUCCESS and worker.result is not None:
            name, chrome, count = worker.result
            self.notify(
                f"trace exported: {os.path.abspath(name)} ({count:,} events); timeline "
                f"for Perfetto: {chrome}"
            )
        elif event.state == WorkerState.CANCELLED or isinstance(worker.error, ExportCancelled):
            self.notify("export cancelled: no file was written")
        elif event.state == WorkerState.ERROR:
            error = worker.error
            reason = error.strerror if isinstance(error, OSError) and error.strerror else error
            self.notify(f"could not export the trace: {reason}", severity="error")
