"""One line saying how the run stands: state, patch mode, elapsed time, events."""

from __future__ import annotations

from textual.widgets import Static

ICONS = {"starting": "…", "running": "▶", "paused": "⏸", "idle": "■", "ended": "■"}


class StatusLine(Static):
    """Updated with ``layout=False``: it never changes size."""

    frozen = False
    """Tests set this to show no wall-clock figure (snapshots must not depend on timing)."""

    def show(
        self, state: str, detail: str, patch: str, elapsed: float, events: int, script: str
    ) -> None:
        time_text = "-.-s" if self.frozen else f"{elapsed:.1f}s"
        text = (
            f" {ICONS.get(state, '?')} {state}{detail}  │  patch {patch}  │  "
            f"{time_text}  │  {events:,} events  │  {script}"
        )
        self.set_classes(f"-{state}")
        self.update(text, layout=False)
