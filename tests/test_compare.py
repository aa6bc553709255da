"""Blocking detection, timelines, Chrome traces and ``corodash compare`` on programs whose
answers are known."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import corodash, program

from corodash.compare import repeated_joins, summarize
from corodash.timeline import build_timeline


@pytest.fixture(scope="module")
def three_sleepers(tmp_path_factory) -> tuple[dict, Path]:
    """One comparison of three_sleepers for the module: its JSON and its Chrome trace."""
    chrome = tmp_path_factory.mktemp("chrome") / "trace.json"
    return compare("three_sleepers", "--chrome", str(chrome)), chrome


def compare(name: str, *options: str, status: int = 0) -> dict:
    done = corodash("compare", program(name), "--json", *options, timeout=120)
    assert done.returncode == status, done.stderr
    return json.loads(done.stdout)


def test_blocking_calls_are_found_with_their_place_and_call(trace):
    result = trace("blockers")
    blocks = [
        (e["name"], int(e["where"].rsplit(":", 1)[1]), e["call"])
        for e in result.events
        if e["kind"] == "block"
    ]
    assert [(name, call) for name, _, call in blocks] == [
        ("sleeper", "time.sleep"),
        ("busy", None),
        ("runner", "subprocess.run"),
        ("receiver", "socket.recv"),
    ]
    assert [line for _, line, _ in blocks] in ([4, line, 14, 22] for line in (9, 10, 11))
    seconds = [e["seconds"] for e in result.events if e["kind"] == "block"]
    # time.sleep and the busy loop last at least what they ask: lower bounds only
    assert seconds[0] >= 0.2 and seconds[1] >= 0.15 and seconds[3] >= 0.25


def test_threshold_option(trace):
    result = trace("blockers", "--block-threshold", "0.28")
    assert [e["name"] for e in result.events if e["kind"] == "block"] == ["receiver"]


def test_three_sleepers_patched_and_unpatched(three_sleepers):
    result, _ = three_sleepers
    patched, unpatched = result["patched"], result["unpatched"]
    assert patched["wall"] >= 0.6  # the three 0.6 s sleeps at once
    assert unpatched["wall"] > 2 * patched["wall"]  # one after another
    assert result["speedup"] > 2
    assert patched["blocks"] == []
    [block] = unpatched["blocks"]
    assert (block["call"], block["count"]) == ("time.sleep", 3)
    assert block["where"].endswith("three_sleepers.py:8")
    assert block["seconds"] >= 1.7
    assert result["summary"].startswith(
        "Unpatched, time.sleep blocked the hub: the 3 tasks ran one after another"
    )
    assert patched["switches"] > unpatched["switches"]


def test_downloader_against_a_local_server():
    result = compare("local_downloader")
    assert result["unpatched"]["wall"] > 1.5 * result["patched"]["wall"]
    calls = {b["call"] for b in result["unpatched"]["blocks"]}
    assert "urllib.request.urlopen" in calls
    assert result["summary"].startswith("Unpatched, urllib.request.urlopen blocked the hub")


def test_cpu_bound_program_gains_nothing_and_says_so():
    result = compare("cpu_bound")
    assert 0.7 < result["speedup"] < 1.4
    assert result["patched"]["blocks"] and result["unpatched"]["blocks"]
    assert result["summary"].startswith("Patching does not help here: busy Python code")


def test_text_table():
    done = corodash("compare", program("three_sleepers"), timeout=120)
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["patched", "unpatched"]
    assert lines[1].startswith("wall time")
    assert "  time.sleep at three_sleepers.py:8, 3 times, " in done.stdout


def test_a_greenlet_that_never_yields_is_named():
    result = compare("gevent_spinner", "--timeout", "2", status=124)
    assert result["patched"]["status"] == "timeout" and result["speedup"] is None
    assert any(
        h.startswith("A greenlet never yields (patched): busy Python code at gevent_spinner.py:")
        for h in result["hints"]
    )


def test_joining_the_same_greenlet_three_times_is_explained():
    source = Path(program("joins_one")).read_text()
    assert repeated_joins(source, "joins_one.py") == [
        "g1.join() is called 3 times in a row at joins_one.py:12: it waits for g1 only. "
        "Join each greenlet, or use gevent.joinall([...])."
    ]
    assert any("g1.join() is called 3 times" in h for h in compare("joins_one")["hints"])


def test_monkey_patch_warning_is_surfaced():
    events = [
        {
            "seq": 0,
            "t": 0.0,
            "kind": "output",
            "task": 0,
            "name": "main",
            "stream": "stderr",
            "text": "MonkeyPatchWarning: Monkey-patching ssl after "
            "ssl has already been imported may lead to errors",
        },
        {
            "seq": 1,
            "t": 0.1,
            "kind": "end",
            "task": 0,
            "name": "main",
            "status": "finished",
            "exit_code": 0,
            "error": None,
            "traceback": "",
            "started": 0.0,
        },
    ]
    from corodash.compare import compare as compare_runs

    result = compare_runs(summarize("patched", events), summarize("unpatched", events))
    assert result.hints[0].startswith("gevent warned (patched): MonkeyPatchWarning")


def test_chrome_trace_has_a_track_per_task_and_valid_times(three_sleepers):
    _, out = three_sleepers
    data = json.loads(out.read_text())
    assert data["displayTimeUnit"] == "ms"
    records = data["traceEvents"]
    processes = {r["pid"]: r["args"]["name"] for r in records if r["name"] == "process_name"}
    assert processes == {1: "patched", 2: "unpatched"}
    threads = {(r["pid"], r["args"]["name"]) for r in records if r["name"] == "thread_name"}
    assert {(1, "sleeper('a') (gevent 2)"), (2, "hub (gevent 1)")} <= threads
    assert all(r["tid"] != r["pid"] for r in records if r["ph"] != "M")
    slices = [r for r in records if r["ph"] == "X"]
    assert all(r["dur"] >= 0 and r["ts"] >= 0 for r in slices)
    blocks = [r for r in slices if r["cat"] == "block"]
    assert len(blocks) == 3 and all(r["pid"] == 2 for r in blocks)
    assert all(r["dur"] >= 5.5e5 for r in blocks)  # 0.6 s each at least, in microseconds
    instants = [r for r in records if r["ph"] == "i"]
    assert instants and all(r["s"] == "t" for r in instants)


def test_timeline_lanes_follow_switches(trace):
    result = trace("ping_pong")
    timeline = build_timeline(result.events)
    names = {lane.name: lane for lane in timeline.lanes.values()}
    assert len(names["ping_task"].spans) == 2 and len(names["pong_task"].spans) == 2
    assert names["main"].spans[0][0] == 0.0
    marks = [text for _, text in names["ping_task"].marks]
    assert marks == ["switch to pong_task", "switch to pong_task"]
    for lane in timeline.lanes.values():
        assert all(start <= end for start, end in lane.spans)


def test_block_verdict_from_samples():
    from collections import Counter

    from corodash.agent.blocking import verdict

    steady = Counter({("a.py:4", "time.sleep"): 19, ("a.py:5", None): 1, ("?", None): 3})
    assert verdict(steady) == ("a.py:4", "time.sleep")
    moving = Counter({("a.py:9", "time.monotonic"): 6, ("a.py:10", None): 9, ("a.py:9", None): 5})
    assert verdict(moving) == ("a.py:9", None)
    assert verdict(Counter({("?", None): 2})) == ("?", None)


def test_the_block_detector_asks_for_the_looks_it_needs():
    """The channel looks every 20 ms after a flood; the detector asks for a look when the
    stretch under way would become a block, then one every SAMPLE_INTERVAL while it lasts,
    and for none while the hub runs or before gevent has one."""
    import threading
    from types import SimpleNamespace

    from corodash.agent.blocking import SAMPLE_INTERVAL, BlockDetector

    registry = SimpleNamespace(hub_tid=None)
    clock = SimpleNamespace(stopped=False, on_resume=[])
    nothing_is_users = SimpleNamespace(wants=lambda code: False)
    detector = BlockDetector(registry, nothing_is_users, threading.get_ident(), 0.1, clock)
    detector.since, detector.running = 5.0, 2
    assert detector.tick(5.5) is None
    registry.hub_tid = 1
    assert detector.tick(5.03) == pytest.approx(0.07)
    assert detector.samples == []
    assert detector.tick(5.11) == SAMPLE_INTERVAL
    assert detector.tick(5.2) == SAMPLE_INTERVAL
    assert [sample for _, sample in detector.samples] == [("?", None), ("?", None)]
    detector.running = 1
    assert detector.tick(5.3) is None
