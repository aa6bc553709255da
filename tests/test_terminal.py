"""The real ``corodash`` command in a pseudo-terminal: keys in, screen out (pyte)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import process_alive, program
from pty_terminal import Terminal

CORODASH = str(Path(sys.executable).with_name("corodash"))


def test_real_command_steps_drives_and_quits():
    term = Terminal([CORODASH, program("accumulator")])
    try:
        # Paused before the first event; this program's top level only creates a
        # generator, so there is none and it runs to its end.
        term.wait_for("top level finished")
        term.wait_for("accumulator")  # the same frame, which may reach us in pieces
        term.press("n")
        term.wait_for("acc: yielded 0")
        term.press("s")
        term.wait_for("send() into acc")
        term.press("7\r")
        term.wait_for("acc: yielded 7")
        term.press("q")
        assert term.close() == 0
    finally:
        term.kill()


def test_real_command_help_does_not_need_a_terminal():
    done = subprocess.run([CORODASH, "--help"], capture_output=True, text=True).stdout
    for word in ("trace", "repl", "compare", "--patch", "--run", "--block-threshold", "--chrome"):
        assert word in done


def test_ctrl_c_pauses_a_repl_program_that_never_ends():
    term = Terminal([CORODASH, "repl", program("never_yields")])
    try:
        time.sleep(1.0)  # the console answers once the program stops: it never does
        term.press("\x03")
        term.wait_for("paused in main")
        assert "main printed: spinning" in term.text()
        term.press("tasks\r")
        term.wait_for("greenlet  running")
        term.press("\x03")  # at the prompt: nothing to pause, and the console stays
        term.press("quit\r")
        term.wait_for("program stopped")
        assert term.close() == 0
    finally:
        term.kill()


def test_send_demo_step_then_send_shows_the_yield_at_once():
    """Three steps into the send demo, then s, 42, Enter: the first round refused it
    ("stopped inside a traced event") and lost the value."""
    demo = str(Path(__file__).parents[1] / "src" / "corodash" / "demos" / "send.py")
    term = Terminal([CORODASH, demo])
    try:
        term.wait_for("paused")
        for event in ("averager yielded None", "send(10)", "averager yielded 10.0"):
            term.press(" ")
            term.wait_for(event)  # each step's event on screen before the next key
        term.press("s")
        term.wait_for("send() into")
        term.press("42\r")
        term.wait_for("resumed with send(42)")
        term.wait_for("yielded 26.0")  # the average of 10 and 42
        assert "cannot run" not in term.text()
        term.press("q")
        assert term.close() == 0
    finally:
        term.kill()


def test_a_program_waiting_for_input_gets_the_line_typed_under_its_output():
    term = Terminal([CORODASH, "--run", program("asks_names")])
    try:
        term.wait_for("waiting for a line of input")
        term.wait_for("main │ name?")
        term.press("Ada\r")
        term.wait_for("greet │ hello Ada")
        term.wait_for("main │ name? Ada")  # the line shown after its prompt, as typed
        term.press("Grace\r")
        term.wait_for("main │ done")
        term.press("\x1b")  # leaves the line entry: the screen's keys come back
        term.wait_for("space step")
        term.press("q")
        assert term.close() == 0
    finally:
        term.kill()


def _agents_of(pid: int) -> list[int]:
    done = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(p) for p in done.stdout.split()]


def _gone(pids: list[int], timeout: float = 5) -> bool:
    deadline = time.monotonic() + timeout
    while any(process_alive(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_sigterm_restores_the_terminal_and_stops_the_agent(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # where the dashboard keeps its trace
    term = Terminal([CORODASH, "--run", program("ticks_forever")])
    try:
        term.wait_for("tick")
        agents = _agents_of(term.pid)
        assert agents
        assert list(tmp_path.glob("corodash-*.cdrec"))
        os.kill(term.pid, signal.SIGTERM)
        assert term.close() == 143
        assert b"\x1b[?1049l" in term.arrived  # out of the alternate screen
        assert b"\x1b[?1000l" in term.arrived  # mouse reporting off
        assert _gone(agents)
        assert not list(tmp_path.glob("corodash-*.cdrec"))  # its temporary trace is deleted
    finally:
        term.kill()


def test_a_terminal_that_goes_away_ends_the_dashboard_and_its_agent():
    """As when the shell's hang-up never reaches corodash (seen under make): SIGHUP is
    blocked, and only the terminal itself says it has gone."""
    term = Terminal(
        [CORODASH, "--run", program("ticks_forever")], blocked=frozenset({signal.SIGHUP})
    )
    try:
        term.wait_for("tick")
        agents = _agents_of(term.pid)
        os.close(term.fd)  # the window is closed
        deadline = time.monotonic() + 5
        while os.waitpid(term.pid, os.WNOHANG) == (0, 0):
            assert time.monotonic() < deadline, "the dashboard outlived its terminal"
            time.sleep(0.05)
        assert _gone(agents)
    finally:
        term.kill()


def test_output_with_escape_sequences_is_shown_not_obeyed():
    term = Terminal([CORODASH, "--run", program("terminal_tricks")])
    try:
        term.wait_for("top level finished")
        screen = term.wait_for("printed: \\x1b[2J\\x1b[Hwiped?")  # the events pane
        assert "tasks" in screen.splitlines()[0]  # nothing was wiped
        term.press("q")
        assert term.close() == 0
    finally:
        term.kill()


def test_a_comparison_of_failing_runs_says_so_in_the_dashboard():
    term = Terminal([CORODASH, "--run", program("failing_greenlets")], lines=40)
    try:
        term.wait_for("top level finished")
        term.press("v")
        term.wait_for("No speed-up: both runs failed", timeout=60)
        term.press("\x1b")
        term.wait_for("space step")
        term.press("q")
        assert term.close() == 0
    finally:
        term.kill()


def test_at_80x24_the_keys_are_discoverable_and_search_finds_one_task():
    term = Terminal([CORODASH, "--run", program("same_function")], columns=80, lines=24)
    try:
        term.wait_for("top level finished")
        term.wait_for("? help  q quit")  # the frame may reach us in pieces
        bottom = term.text().splitlines()[-1]
        assert bottom.rstrip().endswith("? help  q quit") and "n next" in bottom
        term.press("/")
        term.wait_for("search the events")
        for key in "tailor step":
            term.press(key)
        term.wait_for("2 of 2")
        term.press("\r")
        term.wait_for("worker('tailor')  dead")  # the frame pane follows the found task
        term.press("?")
        term.wait_for("corodash keys")
        term.press("q")
        term.wait_for("n next")
        term.press("q")
        assert term.close() == 0
    finally:
        term.kill()


def test_keys_typed_at_once_after_slash_all_reach_the_search():
    """tmux send-keys, a paste, a fast typist: "/tailor step" arrives in one read. Every key
    after "/" belongs to the search (none may act as a dashboard key: "c" continues)."""
    term = Terminal([CORODASH, "--run", program("same_function")], columns=100, lines=30)
    try:
        term.wait_for("top level finished")
        term.press("/tailor step")
        term.wait_for("2 of 2")
        term.wait_for("tailor step")  # the frame may reach us in pieces
        term.press("\x1b")
        term.wait_gone("2 of 2")
        term.press("q")
        assert term.close() == 0
    finally:
        term.kill()


def test_a_line_breakpoint_and_run_to_through_the_real_command():
    term = Terminal([CORODASH, program("two_counters")], columns=120, lines=36)
    try:
        # The task table shows first; the source pane fills a frame later, and a cursor
        # moved before it did was put back on the current line (the breakpoint went there).
        term.wait_for("❱  4 def counter")
        term.press("\t")
        term.press("\t")
        for _ in range(3):
            term.press("\x1b[B")
        term.press("b")
        term.wait_for("1 breakpoint on")
        term.wait_for("●  7")
        term.press("c")
        term.wait_for("breakpoint 1: line 7 of two_counters.py")
        term.wait_for("two_counters.py:7")
        term.press("B")
        term.wait_for("hits 1")
        term.press("d")
        term.wait_for("(none yet)")
        term.press("\x1b")
        term.wait_gone("(none yet)")  # escape then u at once would read as alt+u
        term.press("u")
        term.wait_for("reached the next event of counter(5)")
        term.press("q")
        assert term.close() == 0
    finally:
        term.kill()


def test_o_opens_the_editor_at_the_line_and_comes_back(tmp_path, monkeypatch):
    said = tmp_path / "editor-args"
    editor = tmp_path / "editor"
    editor.write_text(f'#!/bin/sh\necho "$@" > {said}\n')
    editor.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(editor))
    term = Terminal([CORODASH, program("two_counters")], columns=120, lines=36)
    try:
        term.wait_for("❱  4 def counter")  # the source pane at the line (not just the table)
        term.press("o")
        term.wait_for("two_counters.py:4")  # the dashboard back after the editor
        deadline = time.monotonic() + 10
        while not said.exists() and time.monotonic() < deadline:
            term.read()
        assert said.read_text().split() == ["+4", program("two_counters")]
        term.press("q")
        assert term.close() == 0
    finally:
        term.kill()


def test_view_steps_back_and_forth_through_a_recording(tmp_path):
    recording = tmp_path / "ping_pong.cdrec"
    traced = subprocess.run(
        [CORODASH, "trace", program("ping_pong"), "--out", str(recording), "--quiet"],
        capture_output=True,
    )
    assert traced.returncode == 0, traced.stderr
    term = Terminal([CORODASH, "view", str(recording)])
    try:
        term.wait_for("HISTORY: event 13 of 14")
        term.press("[")
        term.wait_for("HISTORY: event 12 of 14")
        term.press("<")
        term.wait_for("HISTORY: event 11 of 14")
        term.wait_for("switch pong_task -> main")
        term.press("<<")
        term.wait_for("HISTORY: event 6 of 14")
        assert "main again" not in term.text()
        term.press("]")
        term.wait_for("HISTORY: event 7 of 14")
        term.press(".")
        term.wait_for("HISTORY: event 13 of 14")
        term.wait_for("main again")
        term.press("q")
        assert term.close() == 0
    finally:
        term.kill()


def test_the_dashboard_runs_a_module_with_its_arguments():
    packaged = str(Path(__file__).parent / "data" / "packaged")
    term = Terminal([CORODASH, "-m", "countdown", "--", "2"], cwd=packaged)
    try:
        term.wait_for("__main__.py")
        term.press("c")
        term.wait_for("tick 1")
        term.wait_for("ticks(2)")
        term.press("q")
        assert term.close() == 0
    finally:
        term.kill()


def test_the_dashboard_attaches_warns_before_pausing_a_service_and_detaches_on_q():
    service = subprocess.Popen(
        [sys.executable, program("listening_service"), "60"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert service.stdout is not None
        target = service.stdout.readline().split()[-1]
        term = Terminal([CORODASH, "attach", target], columns=130, lines=34)
        try:
            term.wait_for("worker(4)")
            term.wait_for("output not captured")
            term.press("p")
            term.wait_for("Press p again to pause it")
            term.press("p")
            term.wait_for("⏸ paused")
            term.press("c")
            term.wait_for("▶ running")
            term.press("r")
            term.wait_for("q detaches; r would start")
            term.press("q")
            assert term.close() == 0
        finally:
            term.kill()
        for line in service.stdout:  # reports of its tracer go on: back to none
            if line.startswith("tracer none"):
                break
        assert service.poll() is None
    finally:
        service.kill()
        service.wait()
