"""Every stop is a place to drive from, stops are not program time, answers are ordered.

``corodash repl --json`` driven as a user would: one command at a time, each sent once the
previous one is answered.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any

import pytest
from conftest import compact_all, program


class Console:
    """A ``corodash repl --json`` process answered command by command."""

    def __init__(self, name: str, *options: str, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "corodash", "repl", program(name), "--json", *options],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **(env or {})},
        )
        self.first = self.answer()

    def answer(self) -> dict[str, Any]:
        line = self.process.stdout.readline()
        assert line, self.process.stderr.read()
        return json.loads(line)

    def ask(self, command: str) -> dict[str, Any]:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.answer()

    def close(self) -> None:
        if self.process.poll() is None:
            self.ask("quit")
        self.process.stdin.close()
        assert self.process.wait(timeout=10) == 0


@pytest.fixture
def console():
    opened: list[Console] = []

    def open_console(*args: str, **kwargs: Any) -> Console:
        opened.append(Console(*args, **kwargs))
        return opened[-1]

    yield open_console
    for each in opened:
        each.process.kill()


def test_step_into_a_loop_then_send_into_a_suspended_generator(console):
    repl = console("ticker_and_accumulator", "--step")
    for _ in range(3):
        stepped = repl.ask("step")
        assert stepped["state"] == "paused"
    assert compact_all(stepped["events"])[-1][:2] in (("yield", "ticker"), ("resume", "ticker"))
    sent = repl.ask("send totals 5")
    assert sent["ok"], sent
    assert (sent["outcome"], sent["value"]) == ("yielded", "5")
    assert compact_all(sent["events"]) == [
        ("resume", "accumulate", "5"),
        ("yield", "accumulate", "5"),
    ]
    again = repl.ask("send totals 2")
    assert again["value"] == "7"
    assert repl.ask("step")["state"] == "paused"  # the program goes on from the same stop
    repl.close()


def test_pause_after_then_send(console):
    repl = console("ticker_and_accumulator", "--pause-after", "0.3")
    assert repl.first["state"] == "paused"
    sent = repl.ask("send totals 40")
    assert (sent.get("outcome"), sent.get("value")) == ("yielded", "40"), sent
    nexted = repl.ask("next totals")  # next() sends None: total += None raises in it
    assert nexted["outcome"] == "raised" and nexted["error"].startswith("TypeError")
    repl.close()


def test_what_python_forbids_is_refused_in_its_terms(console):
    repl = console("echo_send", "--step")
    repl.ask("step")  # echo yielded 1: suspended
    repl.ask("step")  # echo resumed with send(5): executing
    refused = repl.ask("send doubler 3")
    assert refused["ok"] is False
    assert "generator already executing" in refused["error"]
    repl.close()


def test_a_gevent_program_stepped_slowly_records_no_block(console):
    """The user reads each stop for longer than the block threshold: reading is not
    blocking (the first round reported "soup blocked the hub for 0.719s")."""
    repl = console("stepped_gevent", "--step", "--block-threshold", "0.05")
    events = list(repl.first["events"])
    for _ in range(6):
        time.sleep(0.2)  # the user reading the stop: the scenario itself, not a wait
        answer = repl.ask("step")
        events += answer["events"]
    events += repl.ask("continue")["events"]
    assert [e for e in events if e["kind"] == "block"] == []
    # and steps follow the user's tasks: no stop was on a switch into the hub
    repl.close()


def test_steps_follow_user_tasks_unless_hub_switches_are_asked_for(console):
    repl = console("stepped_gevent", "--step")
    stops = [repl.ask("step") for _ in range(4)]
    last = [compact_all(s["events"])[-1] for s in stops]
    assert all(event[2:3] != ("hub",) for event in last if event[0] == "switch"), last
    assert repl.ask("hub on")["hub"] is True
    hub_stops = [compact_all(repl.ask("step")["events"])[-1] for _ in range(4)]
    assert any(e[0] == "switch" and e[2] == "hub" for e in hub_stops), hub_stops
    repl.close()


def test_event_times_leave_out_the_time_spent_stopped(console):
    repl = console("echo_send", "--step")
    first = repl.ask("step")["events"][-1]
    time.sleep(0.5)  # the user reading the stop: the scenario itself, not a wait
    second = repl.ask("step")["events"][-1]
    assert second["t"] - first["t"] < 0.5 / 2  # not the half second spent stopped
    end = repl.ask("continue")
    repl.close()
    assert end["state"] == "idle"


def test_stop_and_continue_rounds_are_answered_even_when_answers_are_slow(console):
    """The first round's controller waited for a "running" the agent might already have
    sent before its answer: 5 of 91 commands were answered in 60 s."""
    repl = console(
        "never_yields_generator", "--pause-after", "0.2", env={"CORODASH_TEST_REPLY_DELAY": "0.02"}
    )
    started = time.monotonic()
    for _ in range(30):
        stepped = repl.ask("step")
        assert stepped.get("state") == "paused", stepped
        resumed = repl.ask("continue")
        assert resumed.get("state") == "paused", resumed  # paused again after 0.2 s
    assert time.monotonic() - started < 45
    repl.close()
