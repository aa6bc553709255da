"""``-m MODULE`` wherever a script is accepted, as ``python -m`` runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import compact_all, corodash

from corodash.trace_format import read_trace

PACKAGED = str(Path(__file__).parent / "data" / "packaged")


def test_trace_runs_a_package_with_its_arguments_as_python_does(tmp_path):
    out = tmp_path / "countdown.cdrec"
    done = corodash("trace", "-m", "countdown", "--out", str(out), "--", "3", "x", cwd=PACKAGED)
    plain = subprocess.run(
        [sys.executable, "-m", "countdown", "3", "x"], capture_output=True, text=True, cwd=PACKAGED
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == plain.stdout
    assert done.stdout.splitlines()[:2] == [
        "countdown imported",
        "argv ['3', 'x'] as __main__ in countdown",
    ]
    events = read_trace(out)
    assert [e for e in compact_all(events) if e[0] in ("spawn", "yield", "return")] == [
        ("spawn", "ticks", "generator"),
        ("yield", "ticks", "3"),
        ("yield", "ticks", "2"),
        ("yield", "ticks", "1"),
        ("return", "ticks", "None"),
    ]
    assert events[-1]["status"] == "finished"


def test_a_module_inside_a_package_and_one_that_is_missing(tmp_path):
    out = tmp_path / "ticks.jsonl"
    inner = corodash("trace", "-m", "countdown.ticks", "--out", str(out), cwd=PACKAGED)
    assert inner.returncode == 0 and inner.stdout == "countdown imported\n"
    missing = corodash("trace", "-m", "countdown.nothing", cwd=PACKAGED)
    assert missing.returncode == 2
    assert (
        missing.stderr.strip()
        == "corodash: -m countdown.nothing: no module named 'countdown.nothing'"
    )
    package_only = corodash("repl", "-m", "json", stdin="")
    assert package_only.returncode == 2
    assert "json is a package and cannot be directly executed" in package_only.stderr
    both = corodash("trace", "script.py", "-m", "countdown")
    assert both.returncode == 2 and "not allowed with argument" in both.stderr


def test_repl_and_compare_take_a_module():
    done = corodash(
        "repl", "-m", "countdown", "--json", "--", "2", stdin="tasks\nquit\n", cwd=PACKAGED
    )
    assert done.returncode == 0, done.stderr
    start, tasks, _ = (json.loads(line) for line in done.stdout.splitlines())
    assert start["status"]["status"] == "finished"
    assert [(t["label"], t["state"]) for t in tasks["tasks"]] == [
        ("main", "finished"),
        ("ticks(2)", "finished"),
    ]
    compared = corodash("compare", "-m", "countdown", "--json", "--", "1", cwd=PACKAGED)
    assert compared.returncode == 0, compared.stderr
    assert json.loads(compared.stdout)["patched"]["status"] == "finished"
