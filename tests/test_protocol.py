"""The wire: frames survive any chunking, events expand to the trace schema, literals parse."""

from __future__ import annotations

from collections import namedtuple

import pytest

from corodash.protocol import (
    SPAWN,
    SWITCH,
    YIELD,
    Command,
    FrameReader,
    LiteralError,
    ProtocolError,
    TaskLabeler,
    encode_frame,
    event_dict,
    events_frame,
    parse_literal,
)


def test_frames_survive_any_chunking():
    messages = [["events", [[YIELD, 1.5, 3, "'x'", 7]] * n] for n in (1, 50, 1000)]
    stream = b"".join(encode_frame(m) for m in messages)
    for size in (1, 3, 4096, len(stream)):
        reader = FrameReader()
        got = []
        for start in range(0, len(stream), size):
            got.extend(reader.feed(stream[start : start + size]))
        assert got == messages


def test_event_dict_names_tasks_from_spawns():
    names = {0: "main"}
    raw = [SPAWN, 10.5, 4, "ping", "greenlet", 0, "p.py", 3, "ping_task"]
    spawn = event_dict(raw, 0, 10.0, names)
    assert spawn == {
        "seq": 0,
        "t": 0.5,
        "kind": "spawn",
        "task": 4,
        "name": "ping",
        "task_kind": "greenlet",
        "parent": 0,
        "file": "p.py",
        "line": 3,
        "label": "ping_task",
    }
    switch = event_dict([SWITCH, 10.75, 4, 0, "switch"], 1, 10.0, names)
    assert switch == {
        "seq": 1,
        "t": 0.75,
        "kind": "switch",
        "task": 4,
        "name": "ping",
        "from": 0,
        "thrown": False,
        "to": 4,
    }


def test_command_round_trip():
    command = Command(7, "send", [3, "'hi'"])
    assert Command.decode(next(FrameReader().feed(command.encode()))) == command


class Shouting(str):
    """A repr may be a str subclass, which marshal does not take."""


def test_subclasses_of_plain_types_cross_as_the_plain_type():
    Point = namedtuple("Point", "x y")
    message = ("events", [Point(1, Shouting("two"))], {Shouting("k"): True}, object)
    (decoded,) = FrameReader().feed(encode_frame(message))
    assert decoded == ("events", [(1, "two")], {"k": True}, repr(object))
    assert type(decoded[1][0][1]) is str


def test_an_events_frame_in_parts_reads_back_as_the_one_frame():
    """The channel writes a batch's records where they lie: its parts must read back as the
    message in one frame does, whatever marshal shares between the tuples (a repeated
    string is written once, then referred to by number), subclasses of plain types too."""
    records = bytes(range(256)) * 3
    name = "worker-" + "x" * 3
    extras = [(SPAWN, 0.5, 1, name, name), (YIELD, 0.75, 1, Shouting("'a'"), 7), (SWITCH, 1.0, 2)]
    parts = events_frame(records, extras)
    assert parts[1] is records
    (decoded,) = FrameReader().feed(b"".join(parts))
    (whole,) = FrameReader().feed(encode_frame(("events", records, extras)))
    assert decoded == whole == ("events", records, extras)
    assert type(decoded[2][1][3]) is str


def test_a_frame_that_does_not_decode_says_so():
    with pytest.raises(ProtocolError, match="does not decode"):
        list(FrameReader().feed(b"\x00\x00\x00\x02\xff\xff"))


@pytest.mark.parametrize(
    ("text", "value"),
    [("3", 3), ("'a b'", "a b"), ("None", None), ("(1, [2, {'k': 3}])", (1, [2, {"k": 3}]))],
)
def test_literals(text, value):
    assert parse_literal(text) == value


@pytest.mark.parametrize("text", ["__import__('os').system('true')", "x", "1 +", "'open"])
def test_anything_but_a_literal_is_refused(text):
    with pytest.raises(LiteralError, match="is not a Python literal"):
        parse_literal(text)


def test_a_label_already_taken_gets_the_tasks_id():
    labeler = TaskLabeler()
    assert [labeler.label(t, p) for t, p in [(1, "ping"), (2, "ping"), (3, "main")]] == [
        "ping",
        "ping#2",
        "main#3",
    ]
