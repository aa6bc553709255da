"""A few lines of source around one line, as plain data: what ``where`` answers show, live
(from the agent) and in history (from the file as it is now)."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

SOURCE_CONTEXT = 6


def source_excerpt(filename: str, line: int) -> dict[str, Any]:
    import linecache  # at the first answer that shows source, not at the agent's start

    first = max(1, line - SOURCE_CONTEXT)
    lines = [
        linecache.getline(filename, n).rstrip("\n") for n in range(first, line + SOURCE_CONTEXT + 1)
    ]
    while lines and not lines[-1]:
        lines.pop()
    return {"file": filename, "first": first, "line": line, "lines": lines}
