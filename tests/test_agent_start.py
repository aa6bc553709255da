"""The agent's start-up is on the path of every run: it must not load what the program does
not need, and must leave the program the sys.path plain Python gives it."""

from __future__ import annotations

import subprocess
import sys

from conftest import program


def _lines(stdout: str) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in stdout.splitlines() if ": " in line)


def test_the_program_starts_as_under_plain_python(trace):
    plain = subprocess.run(
        [sys.executable, program("reports_start")], capture_output=True, text=True, check=True
    )
    traced = trace("reports_start")
    assert traced.returncode == 0, traced.stderr
    said = _lines("".join(e["text"] + "\n" for e in traced.events if e["kind"] == "output"))
    assert said["preloaded"] == "[]"
    assert said["path"] == _lines(plain.stdout)["path"]
