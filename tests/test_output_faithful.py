"""The program's output under ``corodash trace`` is what plain Python prints, byte for byte
and in order, and the trace holds all of it (even when the program leaves by os._exit or
forks)."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import compact_all, program

from corodash.trace_format import read_trace


def run_plain(name: str) -> bytes:
    return subprocess.run(
        [sys.executable, program(name)], capture_output=True, timeout=60, check=False
    ).stdout


def run_traced(name: str, tmp_path: Path) -> tuple[subprocess.CompletedProcess, list[dict]]:
    out = tmp_path / f"{name}.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "corodash", "trace", program(name), "--out", str(out)],
        capture_output=True,
        timeout=60,  # a guard against a hang, not a timing assertion
    )
    return done, read_trace(out)


def written(events: list[dict], stream: str = "stdout") -> bytes:
    """The stream's bytes as the trace records them (text, or exact bytes, plus the end)."""
    parts = []
    for event in events:
        if event["kind"] == "output" and event["stream"] == stream:
            raw = event.get("bytes")
            body = base64.b64decode(raw) if raw is not None else event["text"].encode()
            parts.append(body + event.get("end", "\n").encode())
    return b"".join(parts)


@pytest.mark.parametrize(
    "name", ["print_then_os_exit", "print_and_subprocess", "high_bytes", "long_partial_lines"]
)
def test_output_is_what_plain_python_prints_and_the_trace_keeps_it(name, tmp_path):
    expected = run_plain(name)
    done, events = run_traced(name, tmp_path)
    assert done.stdout == expected
    assert written(events) == expected
    assert events[-1]["kind"] == "end"
    assert [e["kind"] for e in events].count("end") == 1


def test_os_exit_keeps_what_was_printed_before_it(tmp_path):
    done, events = run_traced("print_then_os_exit", tmp_path)
    assert done.returncode == 7
    assert compact_all(events)[-2:] == [("output", "main", "before exit"), ("end", "exit", 7)]


def test_a_progress_line_is_recorded_update_by_update(tmp_path):
    _, events = run_traced("long_partial_lines", tmp_path)
    lines = [e for e in events if e["kind"] == "output"]
    assert len(lines[0]["text"]) == 20 * 1024 * 1024
    updates = [e for e in lines[1:] if e.get("end") == "\r"]
    assert len(updates) == 50_001  # the empty start of the line, then each state
    assert (updates[1]["text"], updates[-1]["text"]) == ("0%", "99%")
    assert (lines[-1]["text"], lines[-1].get("end", "\n")) == ("done", "\n")


def test_a_forked_child_prints_tagged_with_its_pid_and_does_not_act_as_the_agent(tmp_path):
    done, events = run_traced("forks", tmp_path)
    assert done.returncode == 0
    assert done.stdout == b"before fork\ntick 2\ntick 1\nin the child\nparent done\n"
    assert [e["kind"] for e in events].count("end") == 1 and events[-1]["kind"] == "end"
    assert events[-1]["status"] == "finished"
    assert [e["value"] for e in events if e["kind"] == "yield"] == ["2", "1"]
    child = [e for e in events if e["kind"] == "output" and e["text"] == "in the child"]
    assert len(child) == 1 and child[0]["task"] is None
    assert child[0]["name"] == f"pid {child[0]['pid']}" and child[0]["pid"] != os.getpid()


def test_a_multiprocessing_child_prints_once(tmp_path):
    done, events = run_traced("multiprocessing_fork", tmp_path)
    assert done.stdout == b"worker got 5\nexit code 0\n"
    assert [e["kind"] for e in events].count("end") == 1
    assert [e["text"] for e in events if e["kind"] == "output"] == ["worker got 5", "exit code 0"]


def test_a_crash_keeps_what_was_printed_and_says_where(tmp_path):
    done, events = run_traced("crashes", tmp_path)
    assert done.returncode == 139
    assert done.stdout == b"before the crash\n"
    assert compact_all(events)[0] == ("output", "main", "before the crash")
    report = [e["text"] for e in events if e["kind"] == "output" and e["task"] is None]
    assert report[0] == "Fatal Python error: Segmentation fault"
    assert any("crashes.py" in line and "line 6" in line for line in report)
    assert (events[-1]["kind"], events[-1]["status"], events[-1]["exit_code"]) == (
        "end",
        "killed",
        -11,
    )
