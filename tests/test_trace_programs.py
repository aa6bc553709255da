"""``corodash trace`` on real programs: exact event sequences, no event lost."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import compact_all

from corodash.agent.runner import EVENT_ALLOCATION_ALLOWANCE


def assert_whole(events: list[dict]) -> None:
    """seq counts 0, 1, 2... with no gap; agent time never goes backwards; one end, last."""
    assert [e["seq"] for e in events] == list(range(len(events)))
    agent_times = [e["t"] for e in events if e["name"] != "process"]
    assert agent_times == sorted(agent_times)
    assert [e["kind"] for e in events].count("end") == 1
    assert events[-1]["kind"] == "end"
    for event in events:
        assert {"seq", "t", "kind", "task", "name"} <= event.keys()


def test_class_based_iterator(trace):
    result = trace("countdown_iterator")
    assert result.returncode == 0
    assert_whole(result.events)
    assert compact_all(result.events) == [
        ("spawn", "Countdown", "iterator"),
        ("resume", "Countdown", "None"),
        ("yield", "Countdown", "3"),
        ("output", "main", "3"),
        ("resume", "Countdown", "None"),
        ("yield", "Countdown", "2"),
        ("output", "main", "2"),
        ("resume", "Countdown", "None"),
        ("yield", "Countdown", "1"),
        ("output", "main", "1"),
        ("resume", "Countdown", "None"),
        ("return", "Countdown", "None"),
        ("end", "finished", 0),
    ]


def test_send_values_and_return_value(trace):
    result = trace("echo_send")
    assert compact_all(result.events) == [
        ("spawn", "echo", "generator"),
        ("resume", "echo", "None"),
        ("yield", "echo", "1"),
        ("output", "main", "1"),
        ("resume", "echo", "5"),
        ("yield", "echo", "10"),
        ("output", "main", "10"),
        ("resume", "echo", "'ab'"),
        ("yield", "echo", "'abab'"),
        ("output", "main", "abab"),
        ("resume", "echo", "'stop'"),
        ("return", "echo", "'stopped'"),
        ("output", "main", "returned stopped"),
        ("end", "finished", 0),
    ]
    yields = [e for e in result.events if e["kind"] == "yield"]
    assert [e["line"] for e in yields] == [2, 4, 4]


def test_throw_and_close(trace):
    result = trace("throw_close")
    assert compact_all(result.events) == [
        ("spawn", "careful", "generator"),
        ("resume", "careful", "None"),
        ("yield", "careful", "'ready'"),
        ("output", "main", "ready"),
        ("throw", "careful", "ValueError('bad input')"),
        ("yield", "careful", "'handled bad input'"),
        ("output", "main", "handled bad input"),
        ("throw", "careful", "GeneratorExit()"),
        ("raise", "careful", "GeneratorExit"),
        ("output", "main", "closed"),
        ("end", "finished", 0),
    ]


def test_yield_from_reports_both_generators(trace):
    result = trace("delegation")
    assert compact_all(result.events) == [
        ("spawn", "outer", "generator"),
        ("resume", "outer", "None"),
        ("spawn", "inner", "generator"),
        ("resume", "inner", "None"),
        ("yield", "inner", "1"),
        ("yield", "outer", "1"),
        ("resume", "outer", "None"),
        ("resume", "inner", "None"),
        ("yield", "inner", "2"),
        ("yield", "outer", "2"),
        ("resume", "outer", "None"),
        ("resume", "inner", "None"),
        ("return", "inner", "'inner done'"),
        ("yield", "outer", "'inner done'"),
        ("resume", "outer", "None"),
        ("return", "outer", "None"),
        ("output", "main", "[1, 2, 'inner done']"),
        ("end", "finished", 0),
    ]


def test_round_robin_output_is_tagged_by_task(trace):
    result = trace("round_robin")
    events = result.events
    outputs = [(e["task"], e["text"]) for e in events if e["kind"] == "output"]
    spawns = [e["task"] for e in events if e["kind"] == "spawn"]
    assert outputs == [(spawns[0], "a step 0"), (spawns[1], "b step 0"), (spawns[0], "a step 1")]
    assert [k for k, *_ in compact_all(events)].count("yield") == 3


def test_greenlet_ping_pong(trace):
    result = trace("ping_pong")
    assert result.returncode == 0
    assert_whole(result.events)  # a greenlet named at its first call keeps time in order
    assert compact_all(result.events) == [
        ("spawn", "ping", "greenlet"),
        ("switch", "main", "ping"),
        ("output", "ping", "ping 1"),
        ("spawn", "pong", "greenlet"),
        ("switch", "ping", "pong"),
        ("output", "pong", "pong 1"),
        ("switch", "pong", "ping"),
        ("output", "ping", "ping 2"),
        ("switch", "ping", "pong"),
        ("output", "pong", "pong 2"),
        ("return", "pong", None),
        ("switch", "pong", "main"),
        ("output", "main", "main again"),
        ("end", "finished", 0),
    ]


def test_gevent_spawn_and_join(trace):
    result = trace("gevent_join")
    events = compact_all(result.events)
    assert events[:3] == [
        ("spawn", "hub", "gevent"),
        ("spawn", "sleeper", "gevent"),
        ("spawn", "sleeper", "gevent"),
    ]
    outputs = [e[2] for e in events if e[0] == "output"]
    assert outputs == ["a 0", "b 0", "a 1", "A B"]
    returns = [e for e in events if e[0] == "return"]
    assert returns == [("return", "sleeper", "'B'"), ("return", "sleeper", "'A'")]
    switches = [e for e in events if e[0] == "switch"]
    assert switches[0] == ("switch", "main", "hub")
    assert switches[-1] == ("switch", "hub", "main")
    # every switch goes through the hub
    assert all("hub" in (origin, target) for _, origin, target in switches)


@pytest.mark.parametrize(
    ("mode", "applied", "elapsed"), [("auto", True, "0.6"), ("off", False, "1.8")]
)
def test_patch_modes(trace, mode, applied, elapsed):
    result = trace("gevent_patched_sleep", "--patch", mode)
    patches = [e for e in result.events if e["kind"] == "patch"]
    assert patches, "patch events are reported"
    assert all(p["applied"] is applied for p in patches)
    if not applied:
        assert [p["what"] for p in patches] == ["all"]
    else:
        assert {"time", "socket", "all"} <= {p["what"] for p in patches}
    assert [e["text"] for e in result.events if e["kind"] == "output"] == [f"elapsed {elapsed}"]


def test_patch_on_patches_a_program_that_does_not(tmp_path, trace):
    script = tmp_path / "plain_sleep.py"
    script.write_text("import time, socket\nprint(socket.socket.__module__)\n")
    result = trace(str(script), "--patch", "on")
    assert [e["text"] for e in result.events if e["kind"] == "output"] == ["gevent._socket3"]


def test_the_traced_program_collects_garbage_on_its_own_schedule(tmp_path, trace):
    """Its young-generation threshold is scaled for the tuples the tracers add; a threshold
    the program sets itself is kept."""
    script = tmp_path / "thresholds.py"
    script.write_text(
        "import gc\nprint(gc.get_threshold()[0])\ngc.set_threshold(500)\n"
        "print(gc.get_threshold()[0])\n"
    )
    default = subprocess.run(
        [sys.executable, "-c", "import gc; print(gc.get_threshold()[0])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    scaled = str(int(default) * EVENT_ALLOCATION_ALLOWANCE)
    result = trace(str(script))
    assert [e["text"] for e in result.events if e["kind"] == "output"] == [scaled, "500"]


def test_gevents_own_thread_pool_greenlets_are_not_the_programs_tasks(trace):
    result = trace("thread_resolver")
    assert result.returncode == 0
    spawned = sorted((e["name"], e["task_kind"]) for e in result.events if e["kind"] == "spawn")
    assert spawned == [("hub", "gevent"), ("resolve", "gevent"), ("resolve", "gevent")]


def test_unstarted_greenlets_found_on_the_heap_only_when_they_run_user_code(trace):
    """The race behind gevent's thread-pool workers (made in the main thread, adopted by
    their own thread a moment later), made certain: a library greenlet only the heap holds."""
    result = trace("unstarted_greenlets")
    spawned = [(e["name"], e["task_kind"]) for e in result.events if e["kind"] == "spawn"]
    assert spawned == [("worker", "greenlet"), ("dumps", "greenlet")]


def test_a_greenlet_subclass_that_is_always_true_still_ends(trace):
    result = trace("truthy_greenlet")
    assert compact_all(result.events) == [
        ("spawn", "work", "greenlet"),
        ("switch", "main", "work"),
        ("return", "work", None),
        ("switch", "work", "main"),
        ("output", "main", "done"),
        ("end", "finished", 0),
    ]
    assert_whole(result.events)


def test_a_greenlet_made_where_a_finished_one_was_is_a_new_task(trace):
    """Each greenlet here is gone before the next is made, most at the same address: each
    one's switches are its own, never the finished one's (the switch hook's address table
    forgets a task when it dies)."""
    result = trace("greenlets_in_turn")
    assert_whole(result.events)
    spawned = [e["task"] for e in result.events if e["kind"] == "spawn"]
    assert len(set(spawned)) == 40
    moves = [
        (e["kind"], e.get("from"), e.get("to"), e["task"])
        for e in result.events
        if e["kind"] in ("switch", "return")
    ]
    expected = []
    for tid in spawned:
        expected += [
            ("switch", 0, tid, tid),
            ("switch", tid, 0, 0),
            ("switch", 0, tid, tid),
            ("return", None, None, tid),
            ("switch", tid, 0, 0),
        ]
    assert moves == expected


def test_gevent_says_a_greenlet_was_spawned_where_the_program_spawned_it(trace):
    """corodash's wrapper around gevent.spawn puts no frame of its own on the spawning
    stack gevent keeps (and shows in its reports): it is the program's line."""
    result = trace("spawning_stack")
    said = [e["text"] for e in result.events if e["kind"] == "output"]
    assert said == ["spawned at spawning_stack.py 10", "spawn is named spawn"]


def test_a_greenlet_spawned_any_way_is_labelled_by_what_it_runs(trace):
    """A function with and without arguments, a method, a callable object, a lambda and
    spawn_later (compiled, the functions' Greenlets after the hub's are registered in C,
    the others by the Python fallback)."""
    result = trace("spawn_kinds")
    spawns = [(e["label"], e["line"]) for e in result.events if e["kind"] == "spawn"]
    assert spawns == [
        ("hub", None),
        ("rest", 20),
        ("brew('tea')", 7),
        ("brew('coffee', cups=2)", 7),
        ("boil", 13),
        ("greenlet", None),
        ("<lambda>", 31),
        ("brew('cocoa')", 7),
    ]
    said = [e["text"] for e in result.events if e["kind"] == "output"]
    assert said == ["[None, '1 tea', '2 coffee', None, None, None, '1 cocoa']"]


def test_tasks_running_one_function_are_told_apart_by_their_labels(trace):
    result = trace("same_function")
    spawns = [e for e in result.events if e["kind"] == "spawn" and e["name"] != "hub"]
    labels = [e["label"] for e in spawns]
    assert labels[:4] == ["worker('baker')", "worker('courier')", "worker('tailor')", "idle"]
    assert labels[4] == f"idle#{spawns[4]['task']}"
    assert {e["name"] for e in spawns} == {"worker", "idle"}  # the function, as before
