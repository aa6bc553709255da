"""Runs that go wrong: ``compare`` never claims a speed-up for a run that failed or was
stopped; ``trace`` and ``compare`` stop cleanly on Ctrl-C, SIGTERM, SIGHUP and a trace that
cannot be written; the agent dies with its controller."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import corodash, process_alive, program

from corodash.trace_format import read_trace


def test_a_run_whose_greenlets_fail_is_reported_not_compared():
    done = corodash("compare", program("failing_greenlets"), "--json", timeout=120)
    assert done.returncode == 1
    result = json.loads(done.stdout)
    assert result["speedup"] is None
    assert result["patched"]["failure"] == "fragile(0) raised ValueError: greenlet 0 broke"
    assert result["unpatched"]["failure"] == "fragile(0) raised ValueError: greenlet 0 broke"
    assert result["summary"].startswith("No speed-up: both runs failed")


def test_a_run_stopped_by_the_timeout_is_reported_not_compared():
    done = corodash("compare", program("spins_forever"), "--timeout", "0.5", timeout=120)
    assert done.returncode == 124
    assert "No speed-up: both runs were stopped by the 0.5 s timeout." in done.stdout
    assert not [line for line in done.stdout.splitlines() if line.startswith("speed-up")]


def test_trace_out_to_a_missing_directory_is_one_line_before_the_program_starts(tmp_path):
    out = tmp_path / "nowhere" / "t.jsonl"
    done = corodash("trace", program("echo_send"), "--out", str(out))
    assert done.returncode == 2
    assert done.stderr == f"corodash: cannot write the trace to {out}: no such directory\n"
    assert done.stdout == ""


def wait_for_line(process: subprocess.Popen, text: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if text in line:
            return
    raise AssertionError(f"{text!r} never printed")


@pytest.mark.parametrize(
    ("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)]
)
def test_trace_stops_on_a_signal_with_an_end_and_a_summary(signum, code, tmp_path: Path):
    out = tmp_path / "t.jsonl"
    process = subprocess.Popen(
        [sys.executable, "-m", "corodash", "trace", program("ticks_forever"), "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for_line(process, "tick")
    agents = _children(process.pid)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == code
    assert "Traceback" not in stderr
    assert "corodash: interrupted" in stderr and "events:" in stderr
    events = read_trace(out)
    assert events[-1]["kind"] == "end" and events[-1]["status"] == "interrupted"
    assert not [pid for pid in agents if process_alive(pid)]


def _children(pid: int) -> list[int]:
    done = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(p) for p in done.stdout.split()]


def test_the_agent_dies_with_its_controller_even_when_stuck_in_c_code(tmp_path: Path):
    marker = tmp_path / "stuck"
    argv = ["trace", program("stuck_in_c"), "--out", str(tmp_path / "t"), "--", str(marker)]
    process = subprocess.Popen([sys.executable, "-m", "corodash", *argv])
    deadline = time.monotonic() + 30
    while not marker.exists():
        assert time.monotonic() < deadline, "the program never started"
        time.sleep(0.02)
    agents = _children(process.pid)
    assert agents
    process.kill()
    process.wait()
    deadline = time.monotonic() + 10
    while [pid for pid in agents if process_alive(pid)]:
        if time.monotonic() > deadline:
            for pid in agents:
                os.kill(pid, signal.SIGKILL)
            raise AssertionError("the agent outlived its controller")
        time.sleep(0.05)


def test_a_trace_that_cannot_be_written_stops_the_run_and_says_why():
    done = corodash("trace", program("ticks_forever"), "--out", "/dev/full", timeout=30)
    assert done.returncode == 1
    assert done.stderr.endswith(
        "corodash: cannot write the trace to /dev/full: No space left on device; "
        "the program was stopped\n"
    )
    assert "Traceback" not in done.stderr


def test_compare_stops_both_runs_on_ctrl_c(tmp_path: Path):
    process = subprocess.Popen(
        [sys.executable, "-m", "corodash", "compare", program("spins_forever")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not (agents := _children(process.pid)):
        assert time.monotonic() < deadline, "no agent started"
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)  # not the 60 s a run may take
    assert process.returncode == 130
    assert stderr == "corodash: interrupted: the comparison was stopped\n"
    assert not [pid for pid in agents if process_alive(pid)]
