"""Shared helpers: run the real corodash command on the programs in tests/programs."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from corodash.trace_format import read_trace

PROGRAMS = Path(__file__).parent / "programs"


@dataclass
class TraceResult:
    returncode: int
    stdout: str
    stderr: str
    events: list[dict[str, Any]]


def program(name: str) -> str:
    return str(PROGRAMS / f"{name}.py")


def corodash(
    *args: str, timeout: float = 60, stdin: str | None = None, cwd: str | None = None
) -> subprocess.CompletedProcess[str]:
    """The real command, as ``python -m corodash`` in this environment."""
    return subprocess.run(
        [sys.executable, "-m", "corodash", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        input=stdin,
        cwd=cwd,
    )


@pytest.fixture
def trace(tmp_path: Path):
    """Run ``corodash trace`` on a test program; return the exit status, output and events
    (read from the recording it writes by default)."""

    def run(name: str, *options: str, timeout: float = 60) -> TraceResult:
        out = tmp_path / f"{name}.cdrec"
        path = program(name) if not name.endswith(".py") else name
        done = corodash("trace", path, "--out", str(out), *options, timeout=timeout)
        events = read_trace(out) if out.exists() else []
        return TraceResult(done.returncode, done.stdout, done.stderr, events)

    return run


def compact(event: dict[str, Any], names: dict[int, str] | None = None) -> tuple:
    """The essence of an event, for exact sequence assertions."""
    kind, name = event["kind"], event["name"]
    if kind == "spawn":
        return ("spawn", name, event["task_kind"])
    if kind in ("yield", "return"):
        return (kind, name, event["value"])
    if kind == "resume":
        return (
            ("resume", name, event["sent"])
            if not event["thrown"]
            else ("throw", name, event["thrown"])
        )
    if kind == "raise":
        return ("raise", name, event["error"])
    if kind == "switch":
        origin = (names or {}).get(event["from"], event["from"])
        return ("switch", origin, name)
    if kind == "output":
        return ("output", name, event["text"])
    if kind == "patch":
        return ("patch", event["what"], event["applied"])
    if kind == "end":
        return ("end", event["status"], event["exit_code"])
    return (kind, name)


def compact_all(events: list[dict[str, Any]]) -> list[tuple]:
    names = {e["task"]: e["name"] for e in events if e["kind"] == "spawn"}
    names[0] = "main"
    return [compact(e, names) for e in events]


def process_alive(pid: int) -> bool:
    """Running (a zombie waiting to be reaped has stopped running)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
