"""Checks on the user's script made before any process starts: one clear message each."""

from __future__ import annotations

import os


class ScriptError(Exception):
    """The script cannot be run; the message names the file (and line) and says why."""


def check_script(path: str) -> str:
    """The script's absolute path, or ScriptError for a missing file, folder or bad syntax.

    Compiling does not run anything, so a syntax error is found here, before the agent.
    """
    if not os.path.exists(path):
        raise ScriptError(f"{path}: no such file")
    if os.path.isdir(path):
        raise ScriptError(f"{path}: is a directory, not a Python script")
    try:
        with open(path, "rb") as handle:
            source = handle.read()
    except OSError as error:
        raise ScriptError(f"{path}: cannot be read: {error.strerror}") from None
    try:
        compile(source, path, "exec", dont_inherit=True)
    except SyntaxError as error:
        raise ScriptError(_syntax_message(path, error)) from None
    except ValueError as error:  # null bytes
        raise ScriptError(f"{path}: not Python source: {error}") from None
    return os.path.abspath(path)


def _syntax_message(path: str, error: SyntaxError) -> str:
    where = f"{path}:{error.lineno}" if error.lineno else path
    message = f"{where}: SyntaxError: {error.msg}"
    if error.text:
        line = error.text.rstrip("\n")
        message += f"\n    {line.strip()}"
        if error.offset:
            indent = len(line) - len(line.lstrip())
            message += "\n    " + " " * max(0, error.offset - 1 - indent) + "^"
    return message
