"""The agent's start-up is on the path of every run: it must not load what the program does
not need, and must leave the program the sys.path plain Python gives it."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

from conftest import corodash, program

from corodash.agent_launch import EarlyAgent, RunOptions


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


def _processes_in(folder: Path) -> list[int]:
    """The processes whose working directory is ``folder``."""
    found = []
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            if entry.name.isdigit() and os.readlink(entry / "cwd") == str(folder):
                found.append(int(entry.name))
    return found


def _until(condition, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.02)


def test_an_agent_started_early_and_not_needed_exits_quietly():
    early = EarlyAgent(stay=False)
    early.abandon()
    assert early.process.wait(timeout=20) == 0
    assert early.process.stderr.read() == b""


def test_an_agent_taken_keeps_its_pipes_when_the_command_ends():
    """``abandon`` runs on every way out of the command: once the run has the agent's pipes,
    it must not close them (nor descriptors that took their numbers since)."""
    early = EarlyAgent(stay=False)
    launched = early.take(RunOptions(program("reports_start")))
    early.abandon()
    try:
        events = b"".join(iter(lambda: os.read(launched.events_fd, 1 << 16), b""))
        assert b"preloaded" in events
        assert launched.process.wait(timeout=20) == 0
    finally:
        launched.kill()


def test_an_agent_started_early_hands_over_to_one_the_options_need():
    """Another environment than the early agent's: a new agent runs, the early one ends."""
    early = EarlyAgent(stay=False)
    launched = early.take(RunOptions(program("reports_start"), env={"CORODASH_TEST": "1"}))
    try:
        assert launched.process is not early.process
        assert early.process.wait(timeout=20) == 0
        assert launched.process.wait(timeout=20) == 0
    finally:
        launched.kill()


def test_a_trace_that_fails_before_its_program_runs_leaves_no_agent(tmp_path):
    done = corodash("trace", "missing.py", cwd=str(tmp_path))
    assert done.returncode == 2 and "missing.py: no such file" in done.stderr
    _until(lambda: not _processes_in(tmp_path))
