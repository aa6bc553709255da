"""``o``: the user's editor at a file and line, the dashboard suspended meanwhile."""

from __future__ import annotations

import os
import shlex
import subprocess

from textual.app import App, SuspendNotSupported


def editor_command(file: str, line: int) -> list[str]:
    """``$VISUAL`` or ``$EDITOR`` (with its own arguments), else ``vi``, at ``file:line``
    (the ``+LINE`` form vi, vim, nano, emacs and micro share)."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    return [*shlex.split(editor), f"+{line}", file]


def open_in_editor(app: App, file: str, line: int) -> str | None:
    """Run the editor on the terminal; why it could not be, or None."""
    command = editor_command(file, line)
    try:
        with app.suspend():
            subprocess.run(command, check=False)
    except SuspendNotSupported:
        return "this terminal cannot be handed to an editor"
    except OSError as error:
        return f"cannot run {command[0]}: {error.strerror}"
    return None
