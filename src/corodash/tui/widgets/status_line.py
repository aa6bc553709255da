"""One line saying how the run stands: state, the last drive command's answer, patch mode,
program time, events."""

from __future__ import annotations

from textual.widgets import Static

ANSWER_WIDTH = 48
"""Room for a long value; the whole answer is in the events pane."""
ICONS = {"starting": "…", "running": "▶", "paused": "⏸", "idle": "■", "ended": "■"}


class StatusLine(Static):
    """Updated with ``layout=False``: it never changes size."""

    frozen = False
    """Tests set this to show no wall-clock figure (snapshots must not depend on timing)."""

    def show(
        self,
        state: str,
        detail: str,
        answer: str,
        patch: str,
        elapsed: float,
        events: int,
        script: str,
    ) -> None:
        """``answer``: the outcome of the last drive command ("acc: yielded 7"); shown here
        rather than in a toast, which mounts widgets and so lays out the whole screen."""
        time_text = "-.-s" if self.frozen else f"{elapsed:.1f}s"
        if len(answer) > ANSWER_WIDTH:
            answer = answer[: ANSWER_WIDTH - 1] + "…"
        said = f"  │  {answer}" if answer else ""
        text = (
            f" {ICONS.get(state, '?')} {state}{detail}{said}  │  patch {patch}  │  "
            f"{time_text}  │  {events:,} events  │  {script}"
        )
        self.set_classes(f"-{state}")
        self.update(text, layout=False)

    def show_history(self, seq: int, count: int, t: float, source: str, live: bool) -> None:
        """History mode says so plainly, and how to return to the present."""
        time_text = "-.-s" if self.frozen else f"t={t:.4f}s"
        waits = "the program waits" if live else "a recording"
        text = (
            f" ◀ HISTORY: event {seq:,} of {count:,}  │  {time_text}  │  every pane as of this "
            f"event; {waits}  │  . back to the present  │  {source}"
        )
        if not self.has_class("-history"):  # a new class recomputes styles: once
            self.set_classes("-history")
        self.update(text, layout=False)
