"""The dashboard's events and output panes: what a batch of events adds to them, and the
filters that choose which events show.

Only lines that stay in a pane's window are formatted. Output is shown as a terminal would
show its text, never acted on: control characters appear escaped, a carriage-return update
of a progress line replaces the line it updates, and the rest of a line shown early (a
prompt) is added to it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from corodash.describe import describe, printable
from corodash.live_feed import Folded, RecentEvents
from corodash.model import TaskLabels
from corodash.records import RecordFilter
from corodash.tui.widgets.tail_log import TailLog

KIND_FILTERS: tuple[tuple[str, frozenset[str] | None], ...] = (
    ("all", None),
    ("generators", frozenset({"spawn", "resume", "yield", "return", "raise"})),
    ("switches", frozenset({"spawn", "switch", "return", "raise"})),
    ("output", frozenset({"output"})),
    ("patches and end", frozenset({"patch", "end", "block"})),
)
EVENT_WINDOW = 5_000
"""Lines the events pane shows at most; the whole trace stays on disk."""
LINES_PER_BATCH = 200
"""In a flood, a frame formats at most this many event lines; the rest are counted."""
OUTPUT_LINES_PER_BATCH = 1_000
"""The program's own output matters more: more of it is kept, the rest counted."""
RECENT_EVENTS = 50_000
"""Events kept in memory to re-filter the pane."""
PAST_LINES_KEPT = 100
"""History: the events pane keeps its first event while at least this many of the events
given stay after it (a step back cuts one line, a step forward adds one), then starts again
from the first given."""


class LogPanes:
    def __init__(self, events: TailLog, output: TailLog) -> None:
        self.events = events
        self.output = output
        self.recent = RecentEvents(RECENT_EVENTS)
        self.filter_task: int | None = None
        self.kind_filter = 0
        self._open_progress = False
        """The output pane's last line is a progress line a carriage return may replace."""
        self._open_text: str | None = None
        """The output pane's last line was shown before its end came (a prompt): its text."""
        self._open_tag = ""
        self._frozen: tuple[list[str], list[str], bool, str | None] | None = None
        """History on show: the live output lines (and events'), kept to put back."""
        self._unshown = 0
        """Events of the batches since the last line written that got no line: counted in
        the next "… more events" line."""
        self._held: list[Folded] = []
        """Batches that arrived while history was on show: added when it closes."""
        self._past_first: int | None = None
        """History: the number of the first event on show, kept from step to step."""

    def clear(self) -> None:
        self.recent.clear()
        self._unshown = 0
        self.events.clear()
        self.output.clear()
        self._open_progress = False
        self._open_text = None

    @property
    def title(self) -> str:
        return KIND_FILTERS[self.kind_filter][0]

    @property
    def next_title(self) -> str:
        """What the next press of the kinds key shows."""
        return KIND_FILTERS[(self.kind_filter + 1) % len(KIND_FILTERS)][0]

    def add(self, batch: Folded, labels: TaskLabels) -> None:
        """A batch's lines (held back while history is on show): of its last events, those
        the filters show, after a line counting the events before them."""
        if self._frozen is not None:
            self._held.append(batch)
            return
        self.recent.add(batch.pieces)
        shown = [e for e in batch.last_events() if self.shown(e)]
        self._unshown += batch.skipped
        if shown:
            lines = last_lines(
                shown,
                LINES_PER_BATCH,
                6,
                "events",
                lambda e: event_line(e, labels),
                self._unshown,
            )
            self._unshown = 0
            self.events.write_lines(lines)
        output = [e for e in batch.events if e["kind"] == "output"]
        if output:
            self._add_output(output, labels)

    def _add_output(self, output: list[dict[str, Any]], labels: TaskLabels) -> None:
        lines: list[str] = []
        replaces_last = False
        for event in output:
            tag = labels.get(event["task"], event["name"])[:12]
            text = printable(event["text"])
            if self._open_text is not None:  # the rest of a line shown before its end came
                text = self._open_text + text
            line = f"{tag:>12} │ {text}"
            if self._open_text is not None or (
                self._open_progress and (event["text"] or event.get("end") == "\r")
            ):
                if lines:
                    lines[-1] = line
                else:
                    replaces_last = True
                    lines.append(line)
            else:
                lines.append(line)
            end = event.get("end", "\n")
            self._open_progress = end == "\r"
            self._open_text = text if end == "" else None
            self._open_tag = tag
        if replaces_last:
            self.output.rewrite_last(lines.pop(0))
        if lines:
            self.output.write_lines(
                last_lines(lines, OUTPUT_LINES_PER_BATCH, 12, "lines", lambda line: line)
            )

    def typed(self, text: str) -> None:
        """A line the user typed for the program's stdin, after the prompt if one is open
        (where a terminal would echo it)."""
        if self._open_text is not None:
            self.output.rewrite_last(f"{self._open_tag:>12} │ {self._open_text}{printable(text)}")
        else:
            self.output.write_lines([f"{'stdin':>12} │ {printable(text)}"])
        self._open_text = None
        self._open_progress = False

    def write_output(self, lines: list[str]) -> None:
        """Lines corodash adds to the output pane (a traceback)."""
        self.output.write_lines(lines)
        self._open_progress = False
        self._open_text = None

    def record_filter(self) -> RecordFilter | None:
        """The filters, to choose among records which events to expand (None: no filter)."""
        kinds = KIND_FILTERS[self.kind_filter][1]
        if kinds is None and self.filter_task is None:
            return None
        return RecordFilter(kinds, self.filter_task)

    def shown(self, event: dict[str, Any]) -> bool:
        kinds = KIND_FILTERS[self.kind_filter][1]
        if kinds is not None and event["kind"] not in kinds:
            return False
        if self.filter_task is not None:
            return event["task"] == self.filter_task or event.get("from") == self.filter_task
        return True

    def task_of_line(self, line: int) -> int | None:
        """The task of the event on line ``line`` of the events pane (lines start with the
        event's number; the recent events are numbered without gaps)."""
        words = self.events.lines[line].split(maxsplit=1) if line < len(self.events.lines) else []
        if not words or not words[0].isdigit():
            return None
        event = self.recent.at(int(words[0]))
        return event["task"] if event is not None else None

    def show_past(
        self, events: list[dict[str, Any]], output: list[dict[str, Any]], labels: TaskLabels
    ) -> None:
        """History: the events and output up to the event looked at, instead of the live
        lines (kept, and put back by ``show_present``)."""
        if self._frozen is None:
            self._frozen = (
                list(self.events.lines),
                list(self.output.lines),
                self._open_progress,
                self._open_text,
            )
        first = self._past_first
        seqs = [e["seq"] for e in events]
        if first is None or not seqs or first not in seqs[: -PAST_LINES_KEPT or None]:
            first = self._past_first = seqs[0] if seqs else None
        start = seqs.index(first) if first is not None else 0
        self.events.show_lines([event_line(e, labels) for e in events[start:] if self.shown(e)])
        self.output.clear()
        self._open_progress, self._open_text = False, None
        if output:
            self._add_output(output, labels)

    def show_present(self, labels: TaskLabels) -> None:
        """Back from history: the live lines, and what arrived meanwhile."""
        if self._frozen is None:
            return
        _, output, self._open_progress, self._open_text = self._frozen
        self._frozen = None
        self._past_first = None
        self.output.clear()
        self.output.write_lines(output)
        held, self._held = self._held, []
        for batch in held:
            self.add(batch, labels)
        self.refilter(labels)  # the filters may have changed meanwhile

    def next_kind_filter(self) -> None:
        self.kind_filter = (self.kind_filter + 1) % len(KIND_FILTERS)

    def refilter(self, labels: TaskLabels) -> None:
        """Rewrite the events pane from the recent events, under the current filters."""
        self.events.clear()
        shown = [e for e in self.recent if self.shown(e)][-EVENT_WINDOW:]
        self.events.write_lines([event_line(e, labels) for e in shown])


def event_line(event: dict[str, Any], labels: TaskLabels) -> str:
    """An event as the events pane shows it: its number, then what happened."""
    return f"{event['seq']:>6} {describe(event, labels, labels.iterators)}"


def last_lines(
    items: list[Any],
    limit: int,
    indent: int,
    noun: str,
    line: Callable[[Any], str],
    before: int = 0,
) -> list[str]:
    """The last ``limit`` items as lines, after one counting those left out, ``before``
    more among them (a pane formats only what stays in its window)."""
    lines = [line(item) for item in items[-limit:]]
    skipped = max(0, len(items) - limit) + before
    if skipped:
        lines.insert(0, f"{'':>{indent}} … {skipped:,} more {noun} (all in the trace: e exports)")
    return lines
