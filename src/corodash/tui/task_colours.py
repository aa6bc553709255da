"""One colour per task, the same in the table, the events pane and the timeline: taken
from the task's label (unique per run), so a pane that sees only the label text, like the
events pane, finds the same colour as one that knows the task."""

from __future__ import annotations

import re
import zlib

from rich.highlighter import Highlighter
from rich.text import Text

PALETTE = (
    "cyan",
    "magenta",
    "green",
    "yellow",
    "bright_blue",
    "bright_red",
    "bright_cyan",
    "bright_magenta",
)
PLAIN = frozenset({"main", "hub"})
"""Tasks every program has: left in the pane's own colour."""
EVENT_LABEL = re.compile(r"^\s*\d+ (?:new \w+ |switch |throw )?([^\s(]+(?:\([^)]*\))?(?:#\d+)?)")
"""The first task label of an events-pane line (after the event's number)."""


def colour_of(label: str) -> str:
    if label in PLAIN:
        return ""
    return PALETTE[zlib.crc32(label.encode()) % len(PALETTE)]


class EventHighlighter(Highlighter):
    """Colours the task an events-pane line is about."""

    def highlight(self, text: Text) -> None:
        found = EVENT_LABEL.match(text.plain)
        if found is not None:
            colour = colour_of(found.group(1))
            if colour:
                text.stylize(colour, found.start(1), found.end(1))
