"""repl's command lines: words, counts and literals, checked before anything is sent."""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterable, Iterator

from corodash.blocking_run import RunError
from corodash.protocol import LiteralError, parse_literal

QUOTING = ("'", '"', "\\")
MAX_QUOTED = 100_000
"""Characters of a quoted command line shlex is given (a value goes with send, unquoted)."""
DRIVE = {"next": 1, "send": 2, "throw": 2, "close": 1, "switch": 1}


class ReplError(RunError):
    """A command line that cannot be carried out; the console answers ok: false and goes on."""


def split_words(line: str) -> list[str]:
    """Words of a command; a send keeps its value as typed (quotes are part of a literal),
    input its line. Only a line with quotes goes through shlex, which slows to minutes on
    a line of megabytes: such a line is cut at MAX_QUOTED first (the error says so)."""
    first = line.split(None, 1)[:1]
    if first == ["send"]:
        return line.split(None, 2)
    if first == ["input"]:  # the line as typed, spaces and quotes included
        return ["input", *([line.lstrip()[6:].rstrip("\n")] if line.strip() != "input" else [])]
    if not any(mark in line for mark in QUOTING):
        return line.split()
    if len(line) > MAX_QUOTED:
        raise ReplError(
            f"a command with quotes is limited to {MAX_QUOTED:,} characters "
            f"(this one has {len(line):,}); a long value goes with send, unquoted words as they are"
        )
    try:
        return shlex.split(line, posix=True)
    except ValueError:
        raise ReplError("unbalanced quotes in the command") from None


def command_lines(lines: Iterable[str], refuse: Callable[[str], None]) -> Iterator[list[str]]:
    """The words of each command line; a line that cannot be split is refused (``refuse``
    answers it, with why) and blank ones are skipped."""
    for line in lines:
        try:
            words = split_words(line)
        except ReplError as error:
            refuse(str(error))
            continue
        if words:
            yield words


def count_arg(words: list[str], default: int) -> int:
    if len(words) < 2:
        return default
    text = words[1]
    if not (text.isascii() and text.isdigit()):
        raise ReplError(f"{text!r} is not a count: give a whole number")
    return int(text)


def checked_literal(text: str) -> str:
    """The text of a value typed by the user, once it is known to be a Python literal."""
    try:
        parse_literal(text)
    except LiteralError as error:
        raise ReplError(str(error)) from None
    return text


def usage(name: str) -> str:
    return {
        "next": "next T",
        "send": "send T VALUE",
        "throw": "throw T EXC [MSG]",
        "close": "close T",
        "switch": "switch T",
    }[name]
