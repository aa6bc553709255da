"""The wire between the agent (the traced process) and the controller.

Plain data only: task ids, reprs, numbers and strings cross it, never live objects.
Both ways a message is a length-prefixed ``marshal`` frame: built into every Python, so the
agent imports nothing to speak (a third-party encoder took a third of its start-up). See
docs/protocol.md for the schema; bump PROTOCOL_VERSION on any change to it.

Agent events travel as compact tuples ``(code, t, task, *fields)`` so that the traced process
does as little as possible per event; :func:`event_dict` expands one into the trace format.
"""

from __future__ import annotations

import marshal
import os
import struct
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # the agent imports this module: typing stays out of its start-up
    from collections.abc import Iterator
    from typing import Any

PROTOCOL_VERSION = 8

# Event codes, as sent by the agent.
SPAWN, YIELD, RESUME, RETURN, RAISE, SWITCH, OUTPUT, PATCH, END, BLOCK = range(10)
DIAGNOSTIC, LOCALS = 10, 11

KIND_NAMES = (
    "spawn",
    "yield",
    "resume",
    "return",
    "raise",
    "switch",
    "output",
    "patch",
    "end",
    "block",
    "diagnostic",
    "locals",
)

# The fields after (code, t, task) for each event code, in order.
FIELDS: dict[int, tuple[str, ...]] = {
    SPAWN: ("name", "task_kind", "parent", "file", "line", "label"),
    YIELD: ("value", "line"),
    RESUME: ("sent", "thrown"),
    RETURN: ("value",),
    RAISE: ("error",),
    SWITCH: ("from", "thrown"),  # the agent sends greenlet's event name: "switch" or "throw"
    OUTPUT: ("stream", "text", "end", "pid"),
    PATCH: ("what", "applied"),
    END: ("status", "exit_code", "error", "traceback", "started", "wall"),
    BLOCK: ("seconds", "where", "call"),
    DIAGNOSTIC: ("message",),
    LOCALS: ("locals", "file", "line", "function"),  # only with --record-locals
}

# Message tags, agent to controller.
HELLO, EVENTS, REPLY, STATE, TOPLEVEL = "hello", "events", "reply", "state", "toplevel"

# Agent run states carried by STATE messages.
RUNNING, PAUSED, IDLE = "running", "paused", "idle"

MAIN_TASK = 0
"""The program's top level, which is also its main greenlet."""

_HEADER = struct.Struct(">I")
MARSHAL_FORMAT = 4
"""marshal's format for plain data, the same from Python 3.4 on: an attached service may run
another Python than its client."""


def encode_frame(message: Any) -> bytes:
    """One length-prefixed frame of plain data (None, bools, ints, floats, str, bytes, and
    tuples, lists and dicts of those)."""
    payload = _marshalled(message)
    return _HEADER.pack(len(payload)) + payload


def _marshalled(message: Any) -> bytes:
    try:
        return marshal.dumps(message, MARSHAL_FORMAT)
    except ValueError:  # a subclass of a plain type (a repr may be a str subclass)
        return marshal.dumps(plain_data(message), MARSHAL_FORMAT)


_EVENTS_HEAD = b")\x03z" + bytes([len(EVENTS)]) + EVENTS.encode() + b"s"
"""marshal's bytes for a 3-tuple, the EVENTS tag and a bytes object's type, written without
back-references (marshal reads them alike), so that the extras' own count from zero."""
_LENGTH = struct.Struct("<I")


def events_frame(records: bytes, extras: list) -> tuple[bytes, bytes, bytes]:
    """The frame ``encode_frame((EVENTS, records, extras))`` makes, in three parts that leave
    ``records`` where they are: a flood's batch is a megabyte, and copying it twice more
    held the GIL, and so the traced program, for longer than taking it."""
    tail = _marshalled(extras)
    head = _EVENTS_HEAD + _LENGTH.pack(len(records))
    size = len(head) + len(records) + len(tail)
    return _HEADER.pack(size) + head, records, tail


_PLAIN_SCALARS = (type(None), bool, int, float, str, bytes)


def plain_data(value: Any) -> Any:
    """``value`` with every subclass of a plain type made the plain type itself (marshal
    takes exact types only), and anything else its repr."""
    kind = type(value)
    if kind in _PLAIN_SCALARS:
        return value
    if isinstance(value, tuple):
        return tuple(map(plain_data, value))
    if isinstance(value, list):
        return list(map(plain_data, value))
    if isinstance(value, dict):
        return {plain_data(k): plain_data(v) for k, v in value.items()}
    for plain in (bool, int, float, str, bytes):
        if isinstance(value, plain):
            return plain(value) if plain is not str else str.__str__(value)
    return repr(value)


class ProtocolError(ValueError):
    """A frame that does not decode: the peer is not a corodash of this version, or broke."""


class FrameReader:
    """Splits a byte stream into decoded messages; feed it whatever ``read()`` returned."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> Iterator[Any]:
        buffer = self._buffer
        buffer += data
        start = 0
        end = len(buffer)
        while end - start >= 4:
            (size,) = _HEADER.unpack_from(buffer, start)
            if end - start - 4 < size:
                break
            try:
                yield marshal.loads(memoryview(buffer)[start + 4 : start + 4 + size])
            except (ValueError, EOFError, TypeError) as error:
                raise ProtocolError(f"a frame that does not decode: {error}") from None
            start += 4 + size
        del buffer[:start]


class Command:
    """A request from the controller; the agent answers with a REPLY carrying the same id."""

    __slots__ = ("args", "id", "name")

    def __init__(self, id: int, name: str, args: list[Any] | None = None) -> None:
        self.id = id
        self.name = name
        self.args = [] if args is None else args

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Command) and (self.id, self.name, self.args) == (
            other.id,
            other.name,
            other.args,
        )

    def __repr__(self) -> str:
        return f"Command({self.id!r}, {self.name!r}, {self.args!r})"

    def encode(self) -> bytes:
        return encode_frame((self.id, self.name, self.args))

    @staticmethod
    def decode(message: Any) -> Command:
        """From a decoded frame."""
        ident, name, args = message
        return Command(int(ident), str(name), list(args))


class TaskLabeler:
    """One label per task, fixed when it is spawned and shown everywhere. The agent proposes
    one (``worker('baker')``, or the global name the task is known by); a label already
    taken gets the task's id (``worker#7``), so two tasks never read alike."""

    def __init__(self) -> None:
        self.taken: set[str] = {"main"}

    def label(self, task: int, proposed: str) -> str:
        label = proposed
        if label in self.taken:
            label = f"{label}#{task}"
        self.taken.add(label)
        return label


def name_spawn(raw: list | tuple, names: dict[int, str], labeler: TaskLabeler | None) -> str:
    """Note the name of the task a SPAWN announces in ``names``; its label."""
    names[raw[2]] = raw[3]
    proposed = (raw[8] if len(raw) > 8 else None) or raw[3]
    return labeler.label(raw[2], proposed) if labeler else proposed


def expand_batch(
    batch: list,
    seq: int,
    t0: float,
    names: dict[int, str],
    labeler: TaskLabeler | None = None,
) -> list[dict[str, Any]]:
    """Expand agent tuples into trace events (the contract other tools read), numbered from
    ``seq``. ``names`` maps task ids to names; a SPAWN adds to it, and gets its ``label``
    from ``labeler`` (without one, its name).

    The hot kinds are spelled out as dict literals: this loop is what bounds how many events
    a second reach the trace file.
    """
    events: list[dict[str, Any]] = []
    add = events.append
    for raw in batch:
        code, t, task = raw[0], raw[1] - t0, raw[2]
        if code == SWITCH:
            add(
                {
                    "seq": seq,
                    "t": t,
                    "kind": "switch",
                    "task": task,
                    "name": names.get(task, "?"),
                    "from": raw[3],
                    "to": task,
                    "thrown": raw[4] == "throw",
                }
            )
        elif code == YIELD:
            add(
                {
                    "seq": seq,
                    "t": t,
                    "kind": "yield",
                    "task": task,
                    "name": names.get(task, "?"),
                    "value": raw[3],
                    "line": raw[4],
                }
            )
        elif code == OUTPUT:
            add(_output_event(raw, seq, t, names))
        elif code == RESUME:
            add(
                {
                    "seq": seq,
                    "t": t,
                    "kind": "resume",
                    "task": task,
                    "name": names.get(task, "?"),
                    "sent": raw[3],
                    "thrown": raw[4],
                }
            )
        else:
            label = name_spawn(raw, names, labeler) if code == SPAWN else None
            event = {
                "seq": seq,
                "t": t,
                "kind": KIND_NAMES[code],
                "task": task,
                "name": names.get(task, "?"),
            }
            event.update(zip(FIELDS[code], raw[3:], strict=False))
            event["name"] = names.get(task, "?")
            if code == SPAWN:
                event["label"] = label
            add(event)
        seq += 1
    return events


PROCESS_NAME = "process"
"""The ``name`` of output that did not pass through the program's Python streams."""


def _output_event(raw: list | tuple, seq: int, t: float, names: dict[int, str]) -> dict:
    """``text`` is always a str; bytes that are not UTF-8 are kept exactly, in base64, under
    ``bytes``. ``end`` ("\\r", or "" for a last line without newline) is only written when it
    is not a newline; ``pid`` only for a forked child's output, which is named after it."""
    task, text = raw[2], raw[4]
    event = {
        "seq": seq,
        "t": t,
        "kind": "output",
        "task": task,
        "name": names.get(task, "?") if task is not None else PROCESS_NAME,
        "stream": raw[3],
        "text": text,
    }
    if isinstance(text, bytes):
        event["text"] = text.decode("utf-8", "backslashreplace")
        from base64 import b64encode  # the controller's: the agent never expands events

        event["bytes"] = b64encode(text).decode()
    end = raw[5] if len(raw) > 5 else "\n"
    if end != "\n":
        event["end"] = end
    pid = raw[6] if len(raw) > 6 else None
    if pid is not None:
        event["pid"] = pid
        event["name"] = f"pid {pid}"
    return event


def event_dict(raw: list | tuple, seq: int, t0: float, names: dict[int, str]) -> dict[str, Any]:
    """One agent tuple as a trace event."""
    return expand_batch([raw], seq, t0, names)[0]


def hello(t0: float, patch: str, **extra: Any) -> tuple:
    """The agent's first message: what the controller checks (version) and counts from."""
    info = {
        "version": PROTOCOL_VERSION,
        "pid": os.getpid(),
        "t0": t0,
        "python": sys.version.split()[0],
        "patch": patch,
    }
    return (HELLO, {**info, **extra})


class LiteralError(ValueError):
    """Text typed by the user that is not a Python literal."""


def parse_literal(text: str) -> Any:
    """A value typed by the user, as a Python literal: never evaluated as code."""
    import ast  # only when a value is typed: kept out of the agent's start-up

    try:
        return ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError) as error:
        raise LiteralError(
            f"{text.strip()!r} is not a Python literal ({type(error).__name__}): use a number, "
            "a quoted string, True, False, None, or a tuple, list or dict of those"
        ) from None
