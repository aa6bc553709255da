"""The agent's start-up is on the path of every run: it must not load what the program does
not need, and must leave the program the sys.path plain Python gives it."""

from __future__ import annotations

import ast
import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

from conftest import corodash, program

from corodash.agent_launch import EarlyAgent, RunOptions
from corodash.agent_process import AgentProcess


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


def test_the_settrace_tracer_knows_python_3_11_s_opcodes():
    """It names them, not imports opcode (a C module, a tenth of the agent's imports)."""
    import opcode

    from corodash.agent import tracer_settrace

    if sys.version_info[:2] == (3, 11):
        assert opcode.opmap["YIELD_VALUE"] == tracer_settrace._YIELD_VALUE
        assert opcode.opmap["RETURN_VALUE"] == tracer_settrace._RETURN_VALUE


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


def test_an_agent_process_gets_the_descriptors_it_is_given_and_no_other():
    """What Popen's ``pass_fds`` and ``close_fds`` did: a descriptor the controller itself
    inherited does not reach the agent; the ones it is given do, under their numbers."""
    given_read, given_write = os.pipe()
    stray_read, stray_write = os.pipe()
    os.set_inheritable(stray_write, True)
    listing = "import os; print(sorted(int(fd) for fd in os.listdir('/proc/self/fd')))"
    try:
        agent = AgentProcess([sys.executable, "-c", listing], (given_write,), False, {})
    finally:
        os.close(given_write)
    try:
        assert agent.wait(timeout=20) == 0
        seen = ast.literal_eval(agent.stdout.read().decode())
        assert given_write in seen and stray_write not in seen
        assert os.read(given_read, 1) == b""  # the agent's copy went with it: no writer left
    finally:
        for fd in (given_read, stray_read, stray_write):
            os.close(fd)
        agent.stdout.close()
        agent.stderr.close()


def test_an_agent_process_is_polled_waited_for_and_fed():
    echo = "import sys; sys.stdout.write(sys.stdin.readline()); sys.exit(3)"
    agent = AgentProcess([sys.executable, "-c", echo], (), True, dict(os.environ))
    assert agent.poll() is None  # it waits for its line
    agent.stdin.write(b"hello\n")
    agent.stdin.close()
    assert agent.wait(timeout=20) == 3 and agent.poll() == 3
    assert agent.stdout.read() == b"hello\n"
    # it waits for a line that never comes, until it is killed
    killed = AgentProcess([sys.executable, "-c", "input()"], (), True, {})
    os.killpg(killed.pid, 9)  # its own session: the group is its own
    assert killed.wait() == -9
    killed.stdin.close()
    for process in (agent, killed):
        process.stdout.close()
        process.stderr.close()
