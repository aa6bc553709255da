"""The compiled fast paths record exactly what the Python callbacks record."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import program

from corodash.recording_file import RecordingReader
from corodash.trace_format import read_trace

TIMING_FIELDS = ("t", "started", "wall", "seconds")
VOLATILE = re.compile(r"0x[0-9a-f]+|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
"""Addresses and gevent's timestamps in printed text differ between any two runs."""


def test_the_fast_paths_are_built():
    """`make test` installs corodash with a C compiler at hand: the fast paths must be there
    (without them every other test here would check the Python callbacks twice)."""
    from corodash.agent import accelerator

    assert accelerator.speedups is not None


def traced_events(name: str, out: Path, *, pure: bool) -> list[dict]:
    env = {**os.environ, "CORODASH_PURE_PYTHON": "1" if pure else "0"}
    subprocess.run(
        [sys.executable, "-m", "corodash", "trace", program(name), "--out", str(out), "--quiet"],
        env=env,
        capture_output=True,
        timeout=60,
    )
    return [
        {
            key: VOLATILE.sub("…", value) if isinstance(value, str) else value
            for key, value in event.items()
            if key not in TIMING_FIELDS
        }
        for event in read_trace(out)
    ]


EVERY_KIND = [
    # generators: next, send, throw, close, delegation, values that misbehave
    "echo_send",
    "throw_close",
    "delegation",
    "bad_values",
    "left_suspended",
    "small_yields",
    "handled_in_generator",
    "counting_generators",
    "raises_in_generator",
    # iterators
    "countdown_iterator",
    "half_used_iterator",
    "slotted_iterator",
    "playlist",
    # greenlets: switches, throws into them, failures, never started
    "ping_pong",
    "many_switches",
    "callable_greenlets",
    "failing_greenlets",
    "parked_greenlet",
    "truthy_greenlet",
    "unstarted_greenlets",
    "greenlets_in_turn",
    # gevent
    "gevent_join",
    "joins_one",
    "three_sleepers",
    "same_function",
    "spawn_kinds",
    # output of every sort
    "high_bytes",
    "long_partial_lines",
]


@pytest.mark.parametrize("name", EVERY_KIND)
def test_compiled_and_python_callbacks_record_the_same_trace(tmp_path, name):
    """Every record kind, both ways: the compiled recorder and callbacks against the Python
    ones, into the default recording."""
    compiled = traced_events(name, tmp_path / "compiled.cdrec", pure=False)
    python = traced_events(name, tmp_path / "python.cdrec", pure=True)
    assert len(compiled) >= 3
    assert compiled == python


@pytest.mark.parametrize("pure", [False, True], ids=["compiled", "python"])
def test_switches_are_stamped_with_the_programs_clock(tmp_path, pure):
    """The compiled recorder stamps a switch in time-stamp counter ticks, which the channel
    turns into seconds: they must be the seconds of the clock the program reads. Two bursts
    of 1,000 switches, 50 ms apart: each switch between the program's readings of the clock
    around its burst (to the microsecond), in order."""
    out = tmp_path / "run.cdrec"
    subprocess.run(
        [sys.executable, "-m", "corodash", "trace", program("timed_switches"), "--out", str(out)],
        env={**os.environ, "CORODASH_PURE_PYTHON": "1" if pure else "0"},
        capture_output=True,
        timeout=60,
    )
    with RecordingReader(out) as recording:
        t0 = recording.header["t0"]
    events = read_trace(out)
    (printed,) = [e["text"] for e in events if e["kind"] == "output"]
    before_first, after_first, before_second, after_second = map(float, printed.split())
    times = [t0 + e["t"] for e in events if e["kind"] == "switch"]
    assert len(times) == 2_000
    assert times == sorted(times)
    first, second = times[:1_000], times[1_000:]
    assert before_first - 1e-6 <= first[0] and first[-1] <= after_first + 1e-6
    assert before_second - 1e-6 <= second[0] and second[-1] <= after_second + 1e-6


def test_the_address_table_answers_as_the_dict_it_stands_for():
    """The registry's task ids by address, compiled: the same answers as a dict through
    adds, removals (probing goes on past them) and growth."""
    import random

    from corodash.agent.accelerator import speedups

    table, expected = speedups.AddressTable(), {}
    pick = random.Random(7)
    for tid in range(20_000):
        address = pick.randrange(1, 3_000) * 16
        if pick.random() < 0.6:
            table[address] = expected[address] = tid
        elif address in expected:
            del table[address], expected[address]
        else:
            with pytest.raises(KeyError):
                del table[address]
        assert table.get(address) == expected.get(address)
        assert (address in table) == (address in expected)
    assert len(table) == len(expected)
    assert all(table[address] == tid for address, tid in expected.items())
    assert table.get(16 * 3_001, "none") == "none"
    with pytest.raises(OverflowError):
        table[16] = 2**32
