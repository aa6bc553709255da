"""Checks on the user's script made before any process starts: one clear message each."""

from __future__ import annotations

import os
import sys
from importlib.machinery import PathFinder


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


def check_module(name: str, cwd: str | None = None) -> str:
    """The file ``python -m NAME`` would run (a package's ``__main__``), found without
    importing anything: the controller runs no user code, not even a package's
    ``__init__``. ScriptError when there is none, or its syntax is bad."""
    parts = name.split(".")
    if not all(part.isidentifier() for part in parts):
        raise ScriptError(f"-m {name}: not a module name")
    search: list[str] | None = [cwd or os.getcwd(), *sys.path[1:]]
    spec = None
    for depth, part in enumerate(parts):
        spec = PathFinder.find_spec(part, search)
        if spec is None:
            raise ScriptError(f"-m {name}: no module named {'.'.join(parts[: depth + 1])!r}")
        search = list(spec.submodule_search_locations or []) or None
        if depth < len(parts) - 1 and search is None:
            raise ScriptError(f"-m {name}: {'.'.join(parts[: depth + 1])} is not a package")
    assert spec is not None
    if spec.submodule_search_locations is not None:  # a package runs its __main__
        main = PathFinder.find_spec("__main__", list(spec.submodule_search_locations))
        if main is None or not main.origin:
            raise ScriptError(
                f"-m {name}: {name} is a package and cannot be directly executed (no __main__)"
            )
        spec = main
    if not spec.origin or not spec.origin.endswith(".py"):
        raise ScriptError(f"-m {name}: {spec.origin or name} is not Python source")
    return check_script(spec.origin)
