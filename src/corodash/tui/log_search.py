"""Incremental search through a pane's lines: every match, the current one, next and
previous. Pure: it holds line numbers, the pane marks and scrolls."""

from __future__ import annotations

from collections.abc import Sequence


class LogSearch:
    def __init__(self) -> None:
        self.text = ""
        self.matches: list[int] = []
        self.current = -1

    @property
    def line(self) -> int | None:
        """The current match's line, if any."""
        return self.matches[self.current] if self.matches else None

    def find(self, text: str, lines: Sequence[str]) -> int | None:
        """Every line holding ``text`` (ignoring case); the current match is the newest."""
        self.text = text
        needle = text.casefold()
        self.matches = (
            [n for n, line in enumerate(lines) if needle in line.casefold()] if text else []
        )
        self.current = len(self.matches) - 1
        return self.line

    def step(self, direction: int) -> int | None:
        """The next (1) or previous (-1) match, wrapping around."""
        if self.matches:
            self.current = (self.current + direction) % len(self.matches)
        return self.line

    @property
    def summary(self) -> str:
        if not self.text:
            return ""
        if not self.matches:
            return "no match"
        return f"{self.current + 1} of {len(self.matches)}: n next, N previous"
