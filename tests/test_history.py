"""History: the state of every task as of any event of a run, and ``repl RECORDING``."""

from __future__ import annotations

import json
import random

import pytest
from conftest import corodash, program

from corodash import history
from corodash.event_sources import ListSource, open_source
from corodash.history import History, HistoryError
from corodash.model import RunModel
from corodash.protocol import RESUME, SWITCH, YIELD, expand_batch
from corodash.records import (
    FORM_BINARY,
    RECORD,
    VALUE_INT,
    VALUE_NONE,
    VALUE_TRUE,
    WholeRun,
    decode,
)
from corodash.trace_format import read_trace


def states(model: RunModel) -> dict[str, str]:
    return {row.label: row.state for row in model.tasks.values()}


def history_repl(path, *commands: str) -> list[dict]:
    done = corodash("repl", str(path), "--json", stdin="".join(c + "\n" for c in commands))
    assert done.returncode == 0, done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(answers) == 1 + len(commands)
    return answers


def task_states(answer: dict) -> dict[str, str]:
    return {task["label"]: task["state"] for task in answer["tasks"]}


def test_the_state_after_any_event_is_the_fold_of_the_events_up_to_it(trace, monkeypatch):
    monkeypatch.setattr(history, "CHECKPOINT_EVENTS", 3)  # many kept models, many jumps
    monkeypatch.setattr(history, "CHECKPOINT_ROWS", 0)
    events = trace("gevent_join", "--record-locals").events
    assert len(events) > 20
    expected = []
    model = RunModel()
    for event in events:
        model.apply(event)
        expected.append((states(model), {r.label: r.yields for r in model.tasks.values()}))
    past = History(ListSource(events))
    order = list(range(len(events)))
    random.Random(7).shuffle(order)
    for seq in [*order, *range(len(events) - 1, -1, -1), *range(len(events))]:
        model = past.model_after(seq)
        assert (states(model), {r.label: r.yields for r in model.tasks.values()}) == expected[
            seq
        ], seq


@pytest.mark.parametrize(
    ("name", "argv"), [("many_switches", "20000"), ("counting_generators", "5000")]
)
def test_a_recording_folds_its_blocks_of_whole_records_to_the_same_states(
    trace, tmp_path, monkeypatch, name, argv
):
    monkeypatch.setattr(history, "CHECKPOINT_EVENTS", 1000)
    trace(name, "--", argv)
    recording = tmp_path / f"{name}.cdrec"
    source = open_source(recording)
    events = read_trace(recording)
    chosen = {
        0,
        1,
        2,
        4095,
        4096,
        4097,
        len(events) - 1,
        *random.Random(3).sample(range(len(events)), 200),
    }
    expected = {}
    model = RunModel()
    for event in events:
        model.apply(event)
        if event["seq"] in chosen:
            expected[event["seq"]] = (*rows(model), model.last_t)
    past = History(source)
    for seq in [len(events) - 1, *sorted(chosen, reverse=True), *sorted(chosen)]:
        model = past.model_after(seq)
        got = (*rows(model), model.last_t)
        assert got[:-1] == expected[seq][:-1], seq
        assert got[-1] == pytest.approx(expected[seq][-1], abs=1e-9)
    assert len(past._kept) > 3  # kept at the whole blocks, whose models were never built


def rows(model: RunModel) -> tuple[dict, dict]:
    """Each task's state, and what a fold of whole records sets: counts, value, line."""
    return states(model), {
        row.label: (row.switches, row.yields, row.last_value, row.line)
        for row in model.tasks.values()
    }


def test_opening_a_recording_at_its_end_reads_it_in_one_pass(trace, tmp_path):
    # A fold in steps of NEAR_EVENTS from the start began each step at a checkpoint and
    # read the file again: opening 10,000,000 generator events took 16 s.
    trace("many_switches", "--", "20000")
    source = open_source(tmp_path / "many_switches.cdrec")
    passes = []
    blocks = source.reader.blocks
    source.reader.blocks = lambda start, **options: passes.append(start) or blocks(start, **options)
    History(source).model_after(source.count() - 1)
    near_steps = history.CHECKPOINT_EVENTS // history.NEAR_EVENTS
    assert len(passes) <= 1 + near_steps, "one pass to near the end, then the near steps"


def test_a_fold_that_ends_where_a_copy_was_kept_folds_nothing(trace, tmp_path):
    # Steps back from the end land exactly on copies kept every NEAR_EVENTS events (and at
    # kept models): a fold of no events in a block of switches once failed there.
    trace("many_switches", "--", "20000")
    recording = tmp_path / "many_switches.cdrec"
    source = open_source(recording)
    assert list(source.runs(9000, 9000)) == []
    past = History(source)
    end = source.count() - 1
    past.model_after(end)
    for seq in range(end, end - 3 * history.NEAR_EVENTS, -1):
        past.model_after(seq)
    for seq in range(history.CHECKPOINT_EVENTS * 4, 0, -history.NEAR_EVENTS):
        past.model_after(seq - 1)


def test_a_run_of_switches_folds_as_its_switches_one_by_one():
    rng = random.Random(5)
    for _ in range(300):
        one_by_one, at_once = RunModel(), RunModel()
        for model in (one_by_one, at_once):
            for tid in (1, 2, 3):
                model.apply(
                    {
                        "seq": 0,
                        "t": 0.0,
                        "kind": "spawn",
                        "task": tid,
                        "name": "g",
                        "task_kind": "greenlet",
                        "parent": 0,
                    }
                )
            model.tasks[3].state = "dead"  # a finished task can still appear as an origin
        pairs = [(rng.randrange(5), rng.randrange(5)) for _ in range(rng.randrange(1, 12))]
        for n, (target, origin) in enumerate(pairs):
            one_by_one.apply(
                {"seq": n, "t": float(n), "kind": "switch", "task": target, "from": origin}
            )
        at_once.apply_switches([t for t, _ in pairs], [o for _, o in pairs], float(len(pairs) - 1))
        assert states(at_once) == states(one_by_one), pairs
        assert [r.switches for r in at_once.tasks.values()] == [
            r.switches for r in one_by_one.tasks.values()
        ]
        assert at_once.counts == one_by_one.counts and at_once.last_t == one_by_one.last_t


def test_a_run_of_whole_records_folds_as_its_events_one_by_one():
    """Switches, plain resumes and small yields read as columns (records.WholeRun) leave
    every task as applying each event does."""
    rng = random.Random(11)
    kinds = {1: "greenlet", 2: "greenlet", 3: "generator", 4: "generator"}
    for _ in range(300):
        one_by_one, at_once = RunModel(), RunModel()
        for model in (one_by_one, at_once):
            for tid, kind in kinds.items():
                model.apply(
                    {"seq": 0, "t": 0.0, "kind": "spawn", "task": tid, "name": "t"}
                    | {"task_kind": kind, "parent": 0, "line": 1}
                )
        records = b""
        for n in range(rng.randrange(1, 16)):
            code = rng.choice((SWITCH, YIELD, RESUME))
            if code == SWITCH:
                fields = (rng.randrange(2), rng.choice((1, 2, 5)), rng.choice((1, 2, 5)), 0)
            else:
                flag = rng.choice((VALUE_INT, VALUE_NONE, VALUE_TRUE))
                line = rng.randrange(1, 50)  # a yield always has one
                fields = (flag, rng.choice((3, 4, 5)), rng.randrange(2**32), line)
            records += RECORD.pack(float(n), code, FORM_BINARY, *fields)
        for event in expand_batch(decode(records, []), 1, 0.0, {}):
            one_by_one.apply(event)
        at_once.apply_whole(WholeRun(records, 0.0))
        for got, want in zip(at_once.tasks.values(), one_by_one.tasks.values(), strict=True):
            assert got == want, records
        assert at_once.counts == one_by_one.counts and at_once.last_t == one_by_one.last_t


def test_ping_pong_task_states_at_chosen_events(trace, tmp_path):
    trace("ping_pong")
    recording = tmp_path / "ping_pong.cdrec"
    opened, at4, tasks4, _, tasks6, at10, tasks10, first, before = history_repl(
        recording,
        "goto 4",
        "tasks",
        "goto 6",
        "tasks",
        "goto 10",
        "tasks",
        "goto 0",
        "back",
    )
    assert opened["ok"] and opened["cursor"] == 13 and opened["count"] == 14
    assert opened["event"]["kind"] == "end" and opened["history_mode"] is True
    assert at4["event"]["kind"] == "switch" and (at4["event"]["from"], at4["event"]["to"]) == (1, 2)
    assert task_states(tasks4) == {
        "main": "suspended",
        "ping_task": "suspended",
        "pong_task": "running",
    }
    assert task_states(tasks6) == {
        "main": "suspended",
        "ping_task": "running",
        "pong_task": "suspended",
    }
    assert at10["event"]["kind"] == "return"
    assert task_states(tasks10) == {
        "main": "suspended",
        "ping_task": "suspended",
        "pong_task": "dead",
    }
    switches = {task["label"]: task["switches"] for task in tasks10["tasks"]}
    assert switches == {"main": 0, "ping_task": 2, "pong_task": 2}
    assert first["cursor"] == 0 and first["event"]["kind"] == "spawn"
    assert not before["ok"] and before["error"] == "at the first event: nothing before it"
    assert before["cursor"] == 0


def test_a_send_driven_generator_and_where_its_values_came_from(trace, tmp_path):
    trace("echo_send", "--record-locals")
    recording = tmp_path / "echo_send.cdrec"
    events = read_trace(recording)
    yields = [e["seq"] for e in events if e["kind"] == "yield"]
    _, first, tasks, where_first, second, where_second, origin, onward, found = history_repl(
        recording,
        f"goto {yields[0]}",
        "tasks",
        "where 1",
        f"goto {yields[1]}",
        "where echo(1)",
        "origin",
        "forward 2",
        "find returned",
    )
    assert first["event"]["value"] == "1"
    (echo,) = [task for task in tasks["tasks"] if task["id"] == 1]
    assert (echo["state"], echo["yields"], echo["line"]) == ("suspended", 1, 2)
    assert where_first["where"]["locals"] == {"start": "1"}
    assert where_first["where"]["locals_recorded"] is True
    assert second["event"]["value"] == "10"
    assert where_second["where"]["locals"] == {"start": "1", "received": "5"}
    assert where_second["where"]["stack"][0]["line"] == 4
    assert origin["event"]["kind"] == "resume" and origin["event"]["sent"] == "5"
    assert [e["kind"] for e in events[origin["cursor"] : yields[1] + 1]] == [
        "resume",
        "locals",
        "yield",
    ]
    assert onward["cursor"] == yields[1]
    assert found["event"]["kind"] == "return" and found["event"]["value"] == "'stopped'"


def test_gevent_tasks_as_of_the_first_ones_return(trace, tmp_path):
    trace("gevent_join")
    recording = tmp_path / "gevent_join.cdrec"
    events = read_trace(recording)
    labels = {e["task"]: e["label"] for e in events if e["kind"] == "spawn"}
    returned = next(e for e in events if e["kind"] == "return" and labels[e["task"]] != "hub")
    _, _, tasks, where = history_repl(
        recording, f"goto {returned['seq']}", "tasks", f"where {returned['task']}"
    )
    states_then = task_states(tasks)
    assert states_then["sleeper('b', 1)"] == "dead"
    assert states_then["sleeper('a', 2)"] == "suspended"
    assert where["where"]["state"] == "dead"
    assert where["where"]["locals_recorded"] is False and where["where"]["locals"] == {}


def test_greenlet_locals_and_lines_are_recorded_at_each_switch(trace, tmp_path):
    trace("ping_pong", "--record-locals")
    recording = tmp_path / "ping_pong.cdrec"
    events = read_trace(recording)
    kept = [(e["task"], e["line"], e["function"]) for e in events if e["kind"] == "locals"]
    assert kept == [(0, 19, "<module>"), (1, 6, "ping"), (2, 13, "pong"), (1, 8, "ping")]
    second_switch = [e["seq"] for e in events if e["kind"] == "switch"][1]
    assert events[second_switch - 1]["kind"] == "locals"  # known as of the switch
    _, _, where = history_repl(recording, f"goto {second_switch}", "where ping_task")
    assert where["where"]["stack"] == [
        {"file": program("ping_pong"), "line": 6, "function": "ping", "user": True}
    ]
    assert where["where"]["source"]["line"] == 6


def test_drive_commands_and_bad_moves_are_refused_and_the_console_goes_on(trace, tmp_path):
    trace("ping_pong")
    recording = tmp_path / "ping_pong.cdrec"
    answers = history_repl(
        recording, "send 1 2", "step", "goto 99", "goto x", "forward", "where nobody", "tasks"
    )
    _, send, step, far, word, forward, nobody, tasks = answers
    assert not send["ok"] and "this is a recording, nothing runs" in send["error"]
    assert not step["ok"] and step["error"].startswith("step drives a running program")
    assert not far["ok"] and far["error"] == "no event 99: this run has events 0 to 13"
    assert not word["ok"] and "not a count" in word["error"]
    assert not forward["ok"] and forward["error"] == "at the last event: nothing after it"
    assert not nobody["ok"] and "no task 'nobody' as of event 13" in nobody["error"]
    assert tasks["ok"] and len(tasks["tasks"]) == 3


def test_a_jsonl_trace_answers_as_its_recording_does(trace, tmp_path):
    trace("ping_pong")
    recording = tmp_path / "ping_pong.cdrec"
    jsonl = tmp_path / "ping_pong.jsonl"
    assert corodash("export", str(recording), "--jsonl", str(jsonl)).returncode == 0
    commands = ("goto 6", "tasks", "events 3", "find pong 2", "where 2")

    def timeless(answers: list[dict]) -> list[dict]:
        """Switches written from their records have nanosecond times (docs/trace-format.md)"""
        for answer in answers:
            for event in [answer.get("event") or {}, *answer.get("history", [])]:
                event.pop("t", None)
        return answers

    assert timeless(history_repl(jsonl, *commands)) == timeless(history_repl(recording, *commands))


def test_a_recording_cut_short_opens_up_to_its_last_complete_block(trace, tmp_path):
    trace("many_switches", "--", "20000")
    recording = tmp_path / "many_switches.cdrec"
    whole = open_source(recording).count()
    data = recording.read_bytes()
    cut = tmp_path / "cut.cdrec"
    cut.write_bytes(data[: len(data) * 2 // 3])
    source = open_source(cut)
    assert 0 < source.count() < whole
    past = History(source)
    past.present()
    assert past.model().counts["switch"] > 0
    assert [e["seq"] for e in past.recent(3)] == [source.count() - 3 + n for n in range(3)]


def test_files_that_are_not_traces_get_one_clear_line(tmp_path):
    missing = corodash("repl", str(tmp_path / "gone.cdrec"), "--json", stdin="")
    assert missing.returncode == 2 and missing.stderr.strip().endswith("gone.cdrec: no such file")
    junk = tmp_path / "junk.jsonl"
    junk.write_text("not json at all\n")
    bad = corodash("repl", str(junk), "--json", stdin="")
    assert bad.returncode == 2
    assert "neither a corodash recording nor a JSON Lines trace" in bad.stderr


def test_history_errors_name_the_range():
    past = History(ListSource([]))
    with pytest.raises(HistoryError, match="this run has no events"):
        past.goto(0)
