"""A ``repl --json`` process to talk to line by line: one JSON answer per command."""

from __future__ import annotations

import json
import subprocess
from typing import Any


class JsonConsole:
    def __init__(self, argv: list[str]) -> None:
        self.process = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.stdin, self.stdout = self.process.stdin, self.process.stdout

    def answer(self) -> dict[str, Any]:
        """The next answer (the first one comes unasked)."""
        return json.loads(self.stdout.readline())

    def ask(self, line: str) -> dict[str, Any]:
        self.stdin.write(line + "\n")
        self.stdin.flush()
        return self.answer()
