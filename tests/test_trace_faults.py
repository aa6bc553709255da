"""Bad input and faults: each gets a clear message, a meaningful exit status, a whole trace."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter

import pytest
from conftest import compact_all, corodash, program

from corodash.agent.tracer_settrace import PROGRAM_TRACE_WARNING
from corodash.trace_format import read_trace


def test_missing_file(tmp_path):
    done = corodash("trace", str(tmp_path / "nope.py"))
    assert done.returncode == 2
    assert done.stderr.strip() == f"corodash: {tmp_path / 'nope.py'}: no such file"


def test_directory_instead_of_file(tmp_path):
    done = corodash("trace", str(tmp_path))
    assert done.returncode == 2
    assert "is a directory, not a Python script" in done.stderr


def test_syntax_error_names_file_and_line_without_traceback():
    done = corodash("trace", program("syntax_error"))
    assert done.returncode == 2
    assert "syntax_error.py:1: SyntaxError" in done.stderr
    assert "def broken(:" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("seconds", ["soon", "-1", "0", "nan", "inf"])
def test_usage_error(seconds):
    done = corodash("trace", "--timeout", seconds, program("echo_send"))
    assert done.returncode == 2
    assert f"{seconds!r} is not a positive number of seconds" in done.stderr


def test_user_exception_at_top_level(trace):
    result = trace("raises_at_top")
    assert result.returncode == 1
    assert result.stderr.startswith("Traceback (most recent call last):")
    assert 'raises_at_top.py", line 2, in helper' in result.stderr
    assert "RuntimeError: top level failure" in result.stderr
    assert "corodash/" not in result.stderr.split("RuntimeError")[0]  # none of our frames
    assert compact_all(result.events)[-2:] == [
        ("raise", "main", "RuntimeError: top level failure"),
        ("end", "error", 1),
    ]


def test_user_exception_inside_a_generator(trace):
    result = trace("raises_in_generator")
    assert result.returncode == 1
    assert compact_all(result.events)[-3:] == [
        ("raise", "fragile", "KeyError: 'missing'"),
        ("raise", "main", "KeyError: 'missing'"),
        ("end", "error", 1),
    ]


def test_program_that_never_yields_times_out_with_trace_intact(trace):
    result = trace("never_yields", "--timeout", "1")
    assert result.returncode == 124
    assert compact_all(result.events) == [("output", "main", "spinning"), ("end", "timeout", None)]
    assert "stopped by --timeout" in result.stderr


def test_os_exit(trace):
    result = trace("os_exit")
    assert result.returncode == 3
    assert compact_all(result.events)[-1] == ("end", "exit", 3)


def test_killed_by_a_signal(trace):
    result = trace("kills_itself")
    assert result.returncode == 137
    assert compact_all(result.events)[-1] == ("end", "killed", -9)
    assert result.events[-1]["error"] == "the program was killed by SIGKILL"


def test_values_whose_repr_raises_hangs_or_is_huge(trace):
    result = trace("bad_values")
    assert result.returncode == 0
    values = [e["value"] for e in result.events if e["kind"] == "yield" and e["name"] == "values"]
    assert values[0] == "<Explodes: repr failed: ValueError: no repr for you>"
    assert values[1] == "<Hangs: repr took longer than 1s>"
    assert len(values[2]) == 200 and values[2].startswith("xxxx")
    assert values[3].startswith("'yyyy") and values[3].endswith("… (5000 chars)")
    assert values[4] == "<int of 16610 bits>"


def test_removed_name_is_shown_plainly_with_a_hint(trace):
    result = trace("removed_name")
    assert result.returncode == 1
    assert "ImportError: cannot import name 'Iterable' from 'collections'" in result.stderr
    assert "write 'from collections.abc import Iterable'" in result.stderr


def test_many_tasks_no_event_lost(trace):
    result = trace("many_tasks")
    counts = Counter((e["kind"], e["name"]) for e in result.events)
    assert counts["spawn", "one"] == 20000
    assert counts["yield", "one"] == 20000
    assert counts["spawn", "<genexpr>"] == 1
    assert [e["text"] for e in result.events if e["kind"] == "output"] == [str(sum(range(20000)))]
    assert [e["seq"] for e in result.events] == list(range(len(result.events)))


def test_trace_file_is_json_lines(tmp_path):
    out = tmp_path / "t.jsonl"
    done = corodash("trace", program("echo_send"), "--out", str(out), "--quiet")
    assert done.returncode == 0
    assert done.stdout == ""
    lines = out.read_text().splitlines()
    assert all(isinstance(json.loads(line), dict) for line in lines)
    assert "tasks:  1 generator" in done.stderr


def test_an_iterator_that_cannot_be_weakly_referenced(trace):
    result = trace("slotted_iterator")
    assert result.returncode == 0
    assert [e["value"] for e in result.events if e["kind"] == "yield"] == ["1", "2"]


def test_a_death_by_a_signal_without_a_name_is_reported(trace):
    result = trace("realtime_signal", timeout=20)
    assert result.events[-1]["status"] == "killed"
    assert result.events[-1]["error"].startswith("the program was killed by signal ")


def test_bytes_written_to_stdout_buffer_are_captured(trace):
    result = trace("binary_stdout")
    assert result.returncode == 0
    assert [e["text"] for e in result.events if e["kind"] == "output"] == ["bytes out", "text out"]


@pytest.mark.parametrize("pure", ["0", "1"])
def test_a_failing_tracer_never_raises_into_the_program(pure, tmp_path, monkeypatch):
    """RecursionError deep in nested generators, hit at every depth: the program catches
    its own each time, as under plain Python; where the tracer's own call hits the limit,
    tracing stops and says so once (with or without the compiled callbacks)."""
    monkeypatch.setenv("CORODASH_PURE_PYTHON", pure)
    out = tmp_path / "t.jsonl"
    done = corodash("trace", program("deep_generators"), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout == "caught 40 RecursionErrors\nstill running\n"
    events = read_trace(out)
    diagnostics = [i for i, e in enumerate(events) if e["kind"] == "diagnostic"]
    assert len(diagnostics) <= 1
    if diagnostics:
        message = events[diagnostics[0]]["message"]
        assert message.startswith("tracing stopped after its own error, the program goes on: ")
        assert "RecursionError" in message
        tracer_kinds = {"resume", "yield", "return", "raise"}  # spawns: the end's heap scan too
        last_traced = max(i for i, e in enumerate(events) if e["kind"] in tracer_kinds)
        assert last_traced < diagnostics[0]


@pytest.mark.parametrize("pure", ["0", "1"])
def test_a_guarded_callback_keeps_its_error_and_stops_tracing(pure):
    code = (
        "from corodash.agent.accelerator import guard, take_failure\n"
        "def interrupted():\n"
        "    raise KeyboardInterrupt\n"
        "try:\n"
        "    guard(interrupted)()\n"
        "except KeyboardInterrupt:\n"
        "    print('KeyboardInterrupt is the program’s', take_failure())\n"
        "calls = []\n"
        "def failing(*args):\n"
        "    calls.append(args)\n"
        "    raise ZeroDivisionError('ours')\n"
        "guarded = guard(failing)\n"
        "print(guarded(1), guarded(2), len(calls))\n"
        "error = take_failure()\n"
        "print(type(error).__name__, error, take_failure())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "CORODASH_PURE_PYTHON": pure},
        check=True,
    )
    assert done.stdout.splitlines() == [
        "KeyboardInterrupt is the program’s None",
        "None None 1",  # after the first error the callback is no longer called
        "ZeroDivisionError ours None",
    ]


def test_a_program_that_sets_its_own_trace_function_is_told_what_it_costs(trace):
    result = trace("own_settrace")
    assert (result.returncode, result.stdout) == (0, "3\n3\ntraced calls: True\n")
    yields = [e["value"] for e in result.events if e["kind"] == "yield"]
    diagnostics = [e["message"] for e in result.events if e["kind"] == "diagnostic"]
    if sys.version_info >= (3, 12):  # sys.monitoring is not the program's trace function
        assert (yields, diagnostics) == (["1", "2", "1", "2"], [])
    else:
        assert yields == ["1", "2"]
        assert diagnostics == [PROGRAM_TRACE_WARNING]
