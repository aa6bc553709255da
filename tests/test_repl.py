"""``corodash repl --json``: one JSON answer per command, errors answered and survived."""

from __future__ import annotations

import json
import time

from conftest import compact_all, corodash, process_alive, program


def repl(name: str, *commands: str, options: tuple[str, ...] = ()) -> list[dict]:
    done = corodash(
        "repl",
        program(name),
        "--json",
        *options,
        stdin="".join(c + "\n" for c in commands),
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(answers) == 1 + len([c for c in commands if c.strip()])
    return answers


def test_greenlet_left_suspended_is_resumed_from_the_repl():
    start, tasks, switch, after, quit_ = repl(
        "left_suspended", "tasks", "switch paused_worker", "tasks", "quit"
    )
    assert quit_["ok"] and [e["kind"] for e in quit_["events"]] == ["end"]
    assert start["state"] == "idle"
    assert start["status"] == {"status": "finished", "exit_code": 0, "error": None}
    worker = next(t for t in tasks["tasks"] if t["name"] == "worker")
    assert worker["state"] == "suspended" and worker["globals"] == ["paused_worker"]
    assert worker["line"] == 6
    assert switch["ok"] and switch["outcome"] == "switched back"
    assert switch["value"] == "'worker done'"
    assert compact_all(switch["events"]) == [
        ("switch", "main", "worker"),
        ("output", "worker", "worker resumed with ()"),
        ("return", "worker", None),
        ("switch", 1, "main"),
    ]
    assert next(t for t in after["tasks"] if t["name"] == "worker")["state"] == "dead"


def test_drive_a_generator_by_id_name_and_global_name():
    answers = repl(
        "accumulator",
        "next 1",
        "send acc 5",
        "throw accumulator ValueError nope",
        "close acc",
        "next acc",
        "throw acc Nonsense",
    )
    _, first, sent, thrown, closed, after_close, bad_exception = answers
    assert (first["outcome"], first["value"]) == ("yielded", "0")
    assert compact_all(sent["events"]) == [
        ("resume", "accumulator", "5"),
        ("yield", "accumulator", "5"),
    ]
    assert compact_all(thrown["events"]) == [
        ("throw", "accumulator", "ValueError('nope')"),
        ("output", "accumulator", "rejected nope"),
        ("yield", "accumulator", "5"),
    ]
    assert closed["outcome"] == "closed"
    assert compact_all(closed["events"]) == [
        ("throw", "accumulator", "GeneratorExit()"),
        ("raise", "accumulator", "GeneratorExit"),
    ]
    assert after_close == {
        "ok": False,
        "events": [],
        "error": "acc is closed: next cannot resume it",
    }
    assert bad_exception["ok"] is False
    assert "is closed" in bad_exception["error"]


def test_send_to_a_just_started_generator_explains_what_to_do(tmp_path):
    answers = repl("round_robin_fresh", "send ready 5", "send ready None", "send ready 7")
    _, refused, started, sent = answers
    assert refused["ok"] is False
    assert refused["error"].startswith(
        "TypeError: can't send non-None value to a just-started generator"
    )
    assert "use next (or send None) first" in refused["error"]
    assert started["ok"] and started["outcome"] == "yielded" and started["value"] == "'first'"
    assert sent["outcome"] == "yielded" and sent["value"] == "'got 7'"
    assert compact_all(sent["events"]) == [
        ("resume", "waiter", "7"),
        ("yield", "waiter", "'got 7'"),
    ]


def test_bad_commands_are_answered_and_the_console_goes_on():
    answers = repl(
        "echo_send",
        "frobnicate",
        "next",
        "next nobody",
        "send doubler 1 +",
        "step x",
        "send doubler __import__('os')",
        "tasks",
    )
    errors = [a.get("error", "") for a in answers[1:-1]]
    assert "unknown command 'frobnicate'" in errors[0]
    assert errors[1] == "usage: next T"
    assert "no task 'nobody'" in errors[2]
    assert "is not a Python literal" in errors[3]
    assert "'x' is not a count" in errors[4]
    assert "is not a Python literal" in errors[5]
    assert answers[-1]["ok"] is True


def test_step_mode_pauses_before_each_event():
    start, one, two, rest, again = repl(
        "echo_send", "step", "step 2", "continue", "step", options=("--step",)
    )
    assert start["state"] == "paused"
    assert compact_all(start["events"]) == [
        ("spawn", "echo", "generator"),
        ("resume", "echo", "None"),
    ]
    assert compact_all(one["events"]) == [("yield", "echo", "1")]
    # A step stops at a safe point after the event: here the caller, back from next().
    assert one["position"]["task"] == 1 and one["position"]["running"] == 0
    assert one["position"]["line"] == 9
    assert [e["kind"] for e in two["events"]] == ["output", "resume", "yield"]
    assert rest["state"] == "idle"
    assert compact_all(rest["events"])[-1] == ("output", "main", "returned stopped")
    assert again["ok"] is False and "nothing to step" in again["error"]


def test_a_step_stop_is_a_place_to_drive_from():
    """Step into the program, then send into the generator that just yielded: answered at
    once with its yield, recorded like the program's own events (failed on the first
    round's main: "stopped inside a traced event")."""
    _, first, driven, after = repl(
        "echo_send", "step", "send doubler 7", "step", options=("--step",)
    )
    assert compact_all(first["events"]) == [("yield", "echo", "1")]
    assert driven["outcome"] == "yielded" and driven["value"] == "14"
    assert compact_all(driven["events"]) == [("resume", "echo", "7"), ("yield", "echo", "14")]
    assert [e["kind"] for e in after["events"]] == ["output", "resume"]
    assert after["state"] == "paused"


def test_text_mode_reads_like_a_console():
    done = corodash("repl", program("ping_pong"), stdin="tasks\nwhere ping_task\nhelp\n")
    assert "switch ping_task -> pong_task" in done.stdout
    assert "top level finished (exit status 0)" in done.stdout
    assert "ping_task" in done.stdout
    assert "switch T [VALUE]   switch into greenlet T" in done.stdout


def test_stepping_never_stops_a_thread_other_than_the_main_one():
    _, stepped = repl("threaded_generators", "step 50", options=("--step",))
    assert stepped["state"] == "idle"
    assert compact_all(stepped["events"])[-1] == ("output", "main", "[3] 1")


def test_odd_exceptions_and_a_step_after_a_drive_at_idle():
    _, odd, driven, step, again = repl(
        "endless", "throw g UnicodeDecodeError", "next g", "step", "next g"
    )
    assert odd["ok"] is False and odd["error"].startswith("TypeError")
    assert driven["outcome"] == "yielded"
    assert step["ok"] is False and "nothing to step" in step["error"]
    assert again["outcome"] == "yielded"
    assert compact_all(again["events"]) == [("resume", "gen", "None"), ("yield", "gen", "1")]


def test_the_repl_passes_the_block_threshold_to_the_agent():
    start, *_ = repl("three_sleepers", options=("--block-threshold", "0"))
    assert [e for e in start["events"] if e["kind"] == "block"] == []
    start, *_ = repl("three_sleepers")
    assert [e["call"] for e in start["events"] if e["kind"] == "block"] == ["time.sleep"] * 3


def test_a_program_that_never_ends_is_paused_after_the_given_time_and_quit_ends_it():
    start, tasks, quit_ = repl("never_yields", "tasks", "quit", options=("--pause-after", "0.5"))
    assert start["ok"] and start["state"] == "paused"
    assert start["position"]["line"] == 3
    assert [t["name"] for t in tasks["tasks"]] == ["main"]
    assert [e["kind"] for e in quit_["events"]] == ["end"]


def test_finished_tasks_still_say_which_function_they_ran():
    _, tasks = repl("gevent_join", "tasks")
    spawned = [t for t in tasks["tasks"] if t["kind"] == "gevent" and t["name"] != "hub"]
    assert spawned and all(t["function"] == t["name"] for t in spawned)
    assert all(t["state"] == "dead" for t in spawned)


def test_greenlets_of_any_callable_are_found_before_they_start():
    _, tasks, _ = repl("callable_greenlets", "tasks", "quit")
    found = {tuple(t["globals"]): t["state"] for t in tasks["tasks"] if t["kind"] == "greenlet"}
    assert found == {(): "finished", ("pending",): "not started", ("queued",): "not started"}


def test_a_drive_command_that_never_returns_is_paused():
    _, first, second, where, _ = repl(
        "busy_generator",
        "next spinner",
        "next spinner",
        "where spinner",
        "quit",
        options=("--pause-after", "0.5"),
    )
    assert first["ok"] and first["value"] == "'ready'"
    assert second["ok"] and second["outcome"] == "paused" and second["state"] == "paused"
    assert where["where"]["stack"][-1]["line"] in (3, 4)  # in the loop


def test_a_forked_child_is_not_a_second_agent_and_does_not_outlive_quit():
    start, quit_ = repl("fork_lingers", "quit")
    assert start["state"] == "idle"
    assert start["status"] == {"status": "finished", "exit_code": 0, "error": None}
    assert quit_["ok"] and [e["kind"] for e in quit_["events"]] == ["end"]
    printed = [e["text"] for e in start["events"] if e["kind"] == "output"]
    assert printed[0].startswith("child") and len(printed) == 1  # no warning about threads
    child = int(printed[0].split()[1])
    deadline = time.monotonic() + 10
    while process_alive(child):
        assert time.monotonic() < deadline, "the forked child outlived quit"
        time.sleep(0.05)


def test_a_program_that_handles_the_stop_signal_keeps_its_handler_and_still_pauses():
    start, quit_ = repl("claims_the_stop_signal", "quit", options=("--pause-after", "0.5"))
    assert [e["text"] for e in start["events"] if e["kind"] == "output"] == ["my handler ran"]
    assert start["state"] == "paused" and start["position"]["line"] in (7, 8)
    assert quit_["ok"]


def test_the_program_reads_its_input_from_the_console():
    start, first, second = repl("asks_names", "input Ada Lovelace", "input Grace")
    assert (start["state"], start["reading"]) == ("running", True)
    assert [e["text"] for e in start["events"] if e["kind"] == "output"] == ["name? "]
    assert start["events"][-1].get("end") == ""  # the prompt, shown before its line ends
    assert first["reading"] is True
    assert compact_all(first["events"]) == [
        ("resume", "greeter", "<not recorded>"),  # send(input(...)): not a literal
        ("output", "greeter", "hello Ada Lovelace"),
        ("yield", "greeter", "None"),
        ("output", "main", "name? "),
    ]
    assert second["state"] == "idle" and "reading" not in second
    assert [e["text"] for e in second["events"] if e["kind"] == "output"] == [
        "hello Grace",
        "done",
    ]


def test_a_program_stuck_in_c_code_is_said_to_be_and_ended(tmp_path, monkeypatch):
    monkeypatch.setenv("CORODASH_TEST_RESPONSE_TIMEOUT", "1")
    marker = str(tmp_path / "stuck")
    start, quit_ = repl("stuck_in_c", "quit", options=("--pause-after", "0.3", "--", marker))
    assert start == {
        "ok": False,
        "events": [],
        "error": "the program is stuck in C code: it did not answer for 1 s, so it was ended",
    }
    assert quit_["ok"]


def test_a_line_of_megabytes_is_answered_at_once():
    """shlex on a 2 MB line took minutes: plain words skip it, a quoted line is refused."""
    words = "tasks " + "y" * 2_000_000
    quoted = 'tasks "' + "y" * 2_000_000 + '"'
    _, tasks, refused = repl("accumulator", words, quoted)
    assert tasks["ok"] and [t["name"] for t in tasks["tasks"]] == ["main", "accumulator"]
    assert refused["error"].startswith("a command with quotes is limited to 100,000 characters")


def test_an_iterator_is_driven_in_the_terms_of_next():
    _, first, last = repl("half_used_iterator", "next countdown", "next countdown")
    assert (first["outcome"], first["value"]) == ("returned from __next__", "1")
    assert (last["outcome"], last["error"]) == (
        "raised",
        "StopIteration (the iterator is exhausted)",
    )
    done = corodash(
        "repl", program("half_used_iterator"), stdin="next countdown\nnext countdown\n", timeout=60
    )
    assert "countdown returned 1 from __next__" in done.stdout
    assert "countdown raised StopIteration: exhausted" in done.stdout


def test_a_line_breakpoint_stops_before_its_line_every_time_it_runs():
    start, added, first, where, second, cleared, end = repl(
        "two_counters",
        "break two_counters.py:7",
        "continue",
        "where ticks",
        "continue",
        "clear 1",
        "continue",
        options=("--step",),
    )
    assert start["state"] == "paused"
    [found] = added["breaks"]
    assert (found["kind"], found["line"], found["hits"]) == ("line", 7, 0)
    assert found["file"].endswith("two_counters.py")
    for stop, hits in ((first, 1), (second, 2)):
        assert stop["state"] == "paused"
        assert (stop["position"]["line"], stop["position"]["function"]) == (7, "counter")
        assert (stop["position"]["break"]["id"], stop["position"]["break"]["hits"]) == (1, hits)
    # Stopped before line 7 ran: the first yield comes after the first stop.
    assert [e["kind"] for e in first["events"]] == []
    assert compact_all(second["events"])[:2] == [
        ("yield", "counter", "0"),
        ("output", "main", "tick 0"),
    ]
    assert where["where"]["locals"] == {"limit": "5", "total": "0", "n": "0"}
    assert cleared["breaks"] == []
    assert end["state"] == "idle"


def test_run_to_a_task_and_a_breakpoint_on_its_yields():
    _, until, added, hit, listed = repl(
        "two_counters",
        "until ticks",
        "break yield words",
        "continue",
        "breaks",
        options=("--step",),
    )
    assert until["position"]["break"]["kind"] == "task"
    assert compact_all(until["events"])[-1] == ("yield", "counter", "0")
    assert [b["kind"] for b in added["breaks"]] == ["yield"]  # run-to went once reached
    assert compact_all(hit["events"])[-1] == ("yield", "other", "'x'")
    assert hit["position"]["break"]["kind"] == "yield"
    assert listed["breaks"][0]["hits"] == 1


def test_a_block_breakpoint_pauses_after_a_greenlet_held_the_hub_up():
    _, added, hit = repl("blockers", "break block", "continue", options=("--step",))
    assert [b["kind"] for b in added["breaks"]] == ["block"]
    assert hit["state"] == "paused"
    assert hit["position"]["break"]["kind"] == "block"
    [block] = [e for e in hit["events"] if e["kind"] == "block"]
    assert block["seconds"] >= 0.1


def test_a_local_opens_into_its_attributes_and_items():
    _, where, opened, songs = repl(
        "playlist", "where player", "expand player self", "expand player self .songs"
    )
    assert where["where"]["open"] == ["self"]
    assert where["where"]["locals"]["song"] == "'intro'"
    assert [part[:3] for part in opened["parts"]] == [
        [".songs", "songs", "['intro', 'verse', 'chorus']"],
        [".position", "position", "1"],
    ]
    assert [part[3] for part in opened["parts"]] == [True, False]
    assert [part[1:3] for part in songs["parts"]] == [
        ["[0]", "'intro'"],
        ["[1]", "'verse'"],
        ["[2]", "'chorus'"],
    ]


def test_where_shows_any_frame_of_a_stack():
    _, inner, outer = repl("parked_greenlet", "where worker", "where worker 0")
    assert [f["function"] for f in inner["where"]["stack"]] == ["branch", "leaf"]
    assert (inner["where"]["frame"], inner["where"]["locals"]) == (1, {"n": "2", "depth": "4"})
    assert (outer["where"]["frame"], outer["where"]["locals"]) == (0, {"rounds": "1"})
    assert outer["where"]["source"]["line"] == 13


def test_a_generator_kept_in_a_local_shows_as_created_at_the_next_stop():
    _, stepped, listed = repl("made_in_a_function", "step", "tasks", options=("--step",))
    assert [e["name"] for e in stepped["events"] if e["kind"] == "spawn"] == []
    later = [t for t in listed["tasks"] if t["name"] == "numbers"]
    assert [(t["state"], t["yields"]) for t in later] == [("created", 0)]


def test_expanding_a_name_that_is_not_a_local_says_so():
    _, answer = repl("playlist", "expand player nosuch")
    assert (answer["ok"], answer["error"]) == (False, "nosuch is not a local of play")
