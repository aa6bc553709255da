"""``corodash trace SCRIPT``: what the user reads of a traced run (the run: traced_run.py)."""

from __future__ import annotations

import os
from operator import itemgetter

from corodash.hints import removed_name_hint

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TextIO

_KIND = itemgetter("kind")
EXIT_OK, EXIT_USER_ERROR, EXIT_USAGE, EXIT_TIMEOUT = 0, 1, 2, 124


def exit_status(end: dict[str, Any]) -> int:
    status = end.get("status")
    if status in ("finished", "detached", "ended"):  # an attachment's end is the service's
        return EXIT_OK
    if status == "timeout":
        return EXIT_TIMEOUT
    if status == "error":
        return end.get("exit_code") or EXIT_USER_ERROR
    code = end.get("exit_code")
    if isinstance(code, int) and code < 0:
        return 128 - code
    return code if isinstance(code, int) else EXIT_USER_ERROR


def report_end(end: dict[str, Any], stream: TextIO) -> None:
    """What went wrong, as the user would want to read it (their traceback, no ours)."""
    if end.get("traceback"):
        stream.write(end["traceback"])
        hint = removed_name_hint(end.get("error") or "")
        if hint:
            stream.write(f"corodash: hint: {hint}\n")
    elif end.get("error"):
        stream.write(f"corodash: {end['error']}\n")
    if end.get("status") == "timeout":
        stream.write("corodash: the program was stopped by --timeout; the trace so far is kept\n")


def unwritable(path: str) -> str | None:
    """Why a trace cannot be written at ``path``, said before the program starts."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        return "no such directory"
    if os.path.isdir(path):
        return "it is a directory"
    if not os.access(folder, os.W_OK) or (os.path.exists(path) and not os.access(path, os.W_OK)):
        return "permission denied"
    return None
