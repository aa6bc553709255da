"""The binary recording: what the agent's recorder writes, what a recording holds, and that
it reads back as exactly the JSONL trace, from any event, even when cut short."""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path

import pytest
from conftest import corodash, program

from corodash.agent import _speedups
from corodash.chrome_trace import ChromeWriter, write_chrome
from corodash.protocol import END, OUTPUT, RESUME, SPAWN, SWITCH, YIELD
from corodash.recording_file import RecordingReader, RecordingWriter
from corodash.records import (
    FORM_BINARY,
    FORM_TUPLE,
    RECORD,
    SIZE,
    VALUE_FALSE,
    VALUE_INT,
    VALUE_NONE,
    VALUE_TRUE,
    Batch,
    _decode_python,
    decode,
    tuple_record,
)
from corodash.session import AgentSession, RunOptions
from corodash.trace_format import TraceWriter, read_trace


class Batches:
    """A listener that keeps the agent's batches as they came (what a recording stores)."""

    def __init__(self) -> None:
        self.batches: list[tuple[bytes, list]] = []
        self.t0 = 0.0
        self.done = threading.Event()

    def records(self, records: bytes, extras: list) -> None:
        self.batches.append((records, extras))

    def events(self, events: list) -> None:
        raise AssertionError("a listener with records gets no expanded events")

    def state(self, state: str, info: dict) -> None: ...
    def reply(self, reply: object) -> None: ...
    def toplevel(self, status: dict) -> None: ...

    def ended(self, end: dict) -> None:
        self.done.set()


def batches_of(name: str, *argv: str) -> tuple[list[tuple[bytes, list]], float]:
    listener = Batches()
    session = AgentSession(RunOptions(program(name), list(argv)), listener)
    session.start()
    assert listener.done.wait(60)
    return listener.batches, session.builder.t0


def write_both(batches: list, t0: float, folder: Path) -> tuple[Path, Path]:
    recording = RecordingWriter(folder / "run.cdrec")
    jsonl = TraceWriter(folder / "run.jsonl")
    for writer in (recording, jsonl):
        writer.begin({"t0": t0, "script": "x.py"})
        for records, extras in batches:
            writer.write_records(records, list(extras))
        writer.close()
    return recording.path, jsonl.path


@pytest.mark.parametrize(
    "name", ["gevent_join", "echo_send", "ping_pong", "high_bytes", "small_yields"]
)
def test_a_recording_exports_exactly_the_jsonl_trace_of_the_same_run(tmp_path, name):
    batches, t0 = batches_of(name)
    recording, jsonl = write_both(batches, t0, tmp_path)
    exported = io.BytesIO()
    with RecordingReader(recording) as reader:
        count = reader.write_jsonl(exported)
    assert exported.getvalue() == jsonl.read_bytes()
    assert count == len(jsonl.read_bytes().splitlines()) >= 3
    assert_same_events(read_trace(recording), read_trace(jsonl))


def assert_same_events(got: list[dict], want: list[dict]) -> None:
    """The same events; a switch written from its record has its time to the nanosecond."""
    assert [{**e, "t": 0} for e in got] == [{**e, "t": 0} for e in want]
    assert [e["t"] for e in got] == pytest.approx([e["t"] for e in want], abs=1e-9)


def recorded(tmp_path: Path, name: str, *argv: str) -> Path:
    out = tmp_path / f"{name}.cdrec"
    done = corodash("trace", program(name), "--out", str(out), "--quiet", "--", *argv)
    assert out.exists(), done.stderr
    return out


def test_a_switch_between_known_greenlets_takes_24_bytes_on_disk(tmp_path):
    out = recorded(tmp_path, "many_switches", "3000")
    assert out.stat().st_size < 3000 * 24 + 3000
    with RecordingReader(out) as reader:
        blocks = list(reader.batches())
    switches = [
        RECORD.unpack_from(records, i * SIZE)
        for _, records, _ in blocks
        for i in range(len(records) // SIZE)
        if records[i * SIZE + 8] == SWITCH
    ]
    assert len(switches) == 3000
    forms = [record[2] for record in switches]
    assert forms.count(FORM_BINARY) == 2999, "every switch after first sight is a complete record"


def test_a_plain_next_and_a_yield_of_a_small_value_are_whole_records(tmp_path):
    out = recorded(tmp_path, "small_yields")
    with RecordingReader(out) as reader:
        records = b"".join(records for _, records, _ in reader.batches())
    forms = {YIELD: [], RESUME: []}
    for _, kind, form, *_ in RECORD.iter_unpack(records):
        forms.get(kind, []).append(form)
    whole, kept = FORM_BINARY, FORM_TUPLE
    # 2**31 and "text" do not fit a record; the first resume is seen at the code's start
    assert forms[YIELD] == [whole, whole, whole, kept, whole, whole, whole, kept]
    assert forms[RESUME] == [kept] + [whole] * 8
    with RecordingReader(out) as reader:
        events = [e for block in reader.events() for e in block if e["kind"] == "yield"]
    assert [e["value"] for e in events] == [
        "1", "-7", "2147483647", "2147483648", "None", "True", "False", "'text'"
    ]  # fmt: skip
    assert [e["line"] for e in events] == list(range(6, 14))


def test_the_ring_makes_the_traced_thread_wait_instead_of_losing_events():
    recorder = _speedups.Recorder(4)
    taken: list = []
    finished = threading.Event()

    def drain() -> None:
        recorder.set_drainer()
        while not (finished.is_set() and not len(recorder)):
            batch = recorder.take(3)
            if batch is not None:
                taken.extend(decode(*batch))

    drainer = threading.Thread(target=drain)
    drainer.start()
    for n in range(500):
        recorder.append((OUTPUT, float(n), 0, "stdout", f"line {n}"))
        assert len(recorder) <= 4, "the ring never grows for a thread that can wait"
    finished.set()
    drainer.join(10)
    assert [event[4] for event in taken] == [f"line {n}" for n in range(500)]
    assert recorder.capacity == 4


def test_the_drainer_itself_never_waits_the_ring_grows_for_it():
    recorder = _speedups.Recorder(2)
    recorder.set_drainer()
    for n in range(5):
        recorder.append((OUTPUT, float(n), None, "stdout", str(n)))
    assert len(recorder) == 5 and recorder.capacity >= 5
    records, extras = recorder.take(100)
    assert [event[4] for event in decode(records, extras)] == ["0", "1", "2", "3", "4"]


def test_a_silenced_recorder_keeps_nothing():
    recorder = _speedups.Recorder(8)
    recorder.append((OUTPUT, 1.0, 0, "stdout", "before"))
    recorder.silence()
    recorder.append((OUTPUT, 2.0, 0, "stdout", "after"))
    assert len(recorder) == 0 and recorder.take(10) is None and recorder.last() is None


def test_compiled_and_python_decoding_agree():
    switch = RECORD.pack(1.5, SWITCH, FORM_BINARY, 1, 7, 3, 0)
    end = (END, 2.0, 0, "finished", 0, None, "", 0.1, 2.0)
    records = switch + tuple_record(end) + RECORD.pack(1.75, SWITCH, FORM_BINARY, 0, 3, 7, 0)
    expected = [(SWITCH, 1.5, 7, 3, "throw"), end, (SWITCH, 1.75, 3, 7, "switch")]
    wholes = [
        (YIELD, VALUE_INT, 2**32 - 7, 12, (YIELD, 3.0, 4, "-7", 12)),
        (YIELD, VALUE_INT, 2**31 - 1, 13, (YIELD, 3.0, 4, str(2**31 - 1), 13)),
        (YIELD, VALUE_NONE, 0, 14, (YIELD, 3.0, 4, "None", 14)),
        (YIELD, VALUE_TRUE, 0, 15, (YIELD, 3.0, 4, "True", 15)),
        (YIELD, VALUE_FALSE, 0, 16, (YIELD, 3.0, 4, "False", 16)),
        (RESUME, VALUE_NONE, 0, 0, (RESUME, 3.0, 4, "None", None)),
    ]
    for kind, flag, a, b, event in wholes:
        records += RECORD.pack(3.0, kind, FORM_BINARY, flag, 4, a, b)
        expected.append(event)
    assert decode(records, [end]) == expected
    unknown = RECORD.pack(3.0, YIELD, FORM_BINARY, 9, 4, 0, 1)
    for decoder in (decode, _decode_python):
        with pytest.raises(ValueError, match="no value of form 9"):
            decoder(unknown, [])
    with pytest.raises(ValueError, match="no value of form 9"):
        _speedups.jsonl(unknown, [], 0, 0.0, {})
    assert _decode_python(records, [end]) == expected
    assert RECORD.unpack(tuple_record(end))[2] == FORM_TUPLE


def test_a_batch_finds_its_last_event_of_a_kind():
    switch = RECORD.pack(1.5, SWITCH, FORM_BINARY, 0, 7, 3, 0)
    output = (OUTPUT, 2.0, 0, "stdout", "x", True, 1)
    assert Batch(switch * 3, []).last_of(SWITCH) == 2
    assert Batch(switch * 2 + tuple_record(output), [output]).last_of(SWITCH) == 1
    assert Batch(tuple_record(output), [output]).last_of(SWITCH) == -1
    assert Batch(b"", []).last_of(SWITCH) == -1


def test_a_task_spawned_in_a_batch_of_tuples_is_named_in_later_switch_lines(tmp_path):
    # The first batch has no switch record (all tuples), the second only switch records:
    # the JSONL writer must name the task the first one spawned (it wrote "?" once).
    spawn = (SPAWN, 1.0, 1, "ping", "greenlet", 0, "p.py", 1, "ping_task")
    writer = TraceWriter(tmp_path / "t.jsonl")
    writer.begin({"t0": 0.0})
    writer.write_records(tuple_record(spawn), [spawn])
    writer.write_records(RECORD.pack(1.5, SWITCH, FORM_BINARY, 0, 1, 0, 0), [])
    writer.close()
    switch = read_trace(tmp_path / "t.jsonl")[1]
    assert (switch["kind"], switch["task"], switch["name"]) == ("switch", 1, "ping")


def test_reading_from_any_event_starts_at_a_checkpoint_and_gives_the_same_events(tmp_path):
    out = recorded(tmp_path, "many_switches", "140000")
    everything = read_trace(out)
    with RecordingReader(out) as reader:
        index = reader.index()
        assert index is not None and index["events"] == len(everything)
        assert len(index["checkpoints"]) >= 2
        for start in (0, 1, 4096, 65535, 65536, 100_000, len(everything) - 1):
            from_there = [event for block in reader.events(start) for event in block]
            assert from_there == everything[start:], start


def test_two_readings_of_one_recording_in_turn_each_go_on_where_they_were(tmp_path):
    # History reads on through one stream while a fold reads other blocks of the same file:
    # the stream once went on from where the fold had left the file (and `repl` hung).
    out = recorded(tmp_path, "many_switches", "20000")
    everything = read_trace(out)
    with RecordingReader(out) as reader:
        stream = reader.events(0)
        first = next(stream)
        for _ in reader.blocks(len(everything) - 1, expand_whole=True):
            pass
        second = next(stream)
    assert first + second == everything[: len(first) + len(second)]


def test_a_recording_cut_short_opens_up_to_its_last_complete_block(tmp_path):
    out = recorded(tmp_path, "many_switches", "20000")
    everything = read_trace(out)
    data = out.read_bytes()
    with RecordingReader(out) as reader:
        last_block = reader.index()["blocks"][-1][1]
    cut = tmp_path / "cut.cdrec"
    for keep in (len(data) // 3, len(data) // 2, last_block + 10):
        cut.write_bytes(data[:keep])
        with RecordingReader(cut) as reader:
            assert reader.index() is None
            events = [event for block in reader.events() for event in block]
        assert 0 < len(events) < len(everything)
        assert events == everything[: len(events)]


def test_a_killed_program_leaves_a_whole_recording(tmp_path):
    out = tmp_path / "killed.cdrec"
    corodash("trace", program("kills_itself"), "--out", str(out))
    events = read_trace(out)
    assert events[-1]["kind"] == "end" and events[-1]["status"] == "killed"
    with RecordingReader(out) as reader:
        assert reader.index()["events"] == len(events)


def test_export_writes_jsonl_and_a_chrome_trace(tmp_path):
    out = recorded(tmp_path, "gevent_join")
    jsonl, chrome = tmp_path / "run.jsonl", tmp_path / "run.json"
    done = corodash("export", str(out), "--jsonl", str(jsonl), "--chrome", str(chrome))
    assert done.returncode == 0, done.stderr
    assert_same_events(read_trace(jsonl), read_trace(out))
    slices = json.loads(chrome.read_text())["traceEvents"]
    assert {"sleeper('a', 2)", "sleeper('b', 1)"} <= {s["name"] for s in slices if s["ph"] == "X"}


def test_export_says_what_is_wrong_with_its_input(tmp_path):
    missing = corodash("export", str(tmp_path / "nothing.cdrec"), "--jsonl", "x.jsonl")
    assert missing.returncode == 2 and "no such file" in missing.stderr
    not_one = tmp_path / "trace.jsonl"
    not_one.write_text('{"seq": 0}\n')
    wrong = corodash("export", str(not_one), "--jsonl", str(tmp_path / "x.jsonl"))
    assert wrong.returncode == 2 and "not a corodash recording" in wrong.stderr
    nothing_asked = corodash("export", str(not_one))
    assert nothing_asked.returncode == 2 and "--jsonl FILE" in nothing_asked.stderr


@pytest.mark.parametrize("name", ["many_switches", "gevent_join", "echo_send", "small_yields"])
def test_the_compiled_chrome_export_writes_what_the_timeline_folder_writes(tmp_path, name):
    """Runs of switch records go through the compiled writer, sharing the folder's state;
    the Chrome trace must be the one the folder makes from the expanded events."""
    out = recorded(tmp_path, name)
    with RecordingReader(out) as reader:
        compiled, folded = io.BytesIO(), io.BytesIO()
        writer = ChromeWriter(compiled)
        writer.run_records("run", reader.batches(), reader.header["t0"])
        writer.close()
        every_event = (event for block in reader.events() for event in block)
        write_chrome(folded, [("run", every_event)])
    records = json.loads(compiled.getvalue())["traceEvents"]
    expected = json.loads(folded.getvalue())["traceEvents"]
    assert [without_times(r) for r in records] == [without_times(r) for r in expected]
    for got, want in zip(records, expected, strict=True):
        for key in ("ts", "dur"):  # switch times are written to the nanosecond
            assert got.get(key, 0) == pytest.approx(want.get(key, 0), abs=0.002)
    assert len([r for r in records if r["ph"] == "X"]) >= 3


def without_times(record: dict) -> dict:
    return {key: value for key, value in record.items() if key not in ("ts", "dur")}
