"""The compiled fast paths record exactly what the Python callbacks record."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import program

from corodash.trace_format import read_trace

TIMING_FIELDS = ("t", "started", "wall")


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
        {key: value for key, value in event.items() if key not in TIMING_FIELDS}
        for event in read_trace(out)
    ]


@pytest.mark.parametrize(
    "name",
    ["echo_send", "throw_close", "delegation", "bad_values", "ping_pong", "gevent_join"],
)
def test_compiled_and_python_callbacks_record_the_same_trace(tmp_path, name):
    compiled = traced_events(name, tmp_path / "compiled.jsonl", pure=False)
    python = traced_events(name, tmp_path / "python.jsonl", pure=True)
    assert len(compiled) > 5
    assert compiled == python
