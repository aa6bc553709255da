"""Event records: how a batch of events crosses from the agent to the controller and into a
recording.

Every event is one 24-byte record (``RECORD``): time, kind, form, flag, task and two more
fields. A switch between known greenlets, a generator's plain ``next()`` and a yield of a
small int, None, True or False are complete in their record (``FORM_BINARY``: the compiled
recorder makes no Python object for them); every other event keeps its agent tuple
in the batch's list of tuples, in order, and its record says so (``FORM_TUPLE``). The
agent's compiled recorder (``_recorder.c``) writes the same layout. docs/recording.md
describes it.
"""

from __future__ import annotations

import struct
from array import array
from collections import Counter
from itertools import compress

from corodash.protocol import KIND_NAMES, RESUME, SWITCH, YIELD

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

try:
    from corodash.agent._speedups import decode as _compiled_decode
except ImportError:  # not built: decoded in Python, same tuples
    _compiled_decode = None

RECORD = struct.Struct("<dBBHIII")
"""t (seconds, perf_counter), kind (the event code), form, flag, task, a, b."""
SIZE = RECORD.size
KIND_OFFSET, FORM_OFFSET, TASK_OFFSET = 8, 9, 12
FORM_BINARY, FORM_TUPLE = 0, 1
NO_TASK = 0xFFFFFFFF
"""The task field of an event that belongs to no task (output of the process itself)."""
_TIME_TASK = struct.Struct("<d4xI")


def tuple_record(event: tuple | list) -> bytes:
    """The record of an event kept as its tuple."""
    task = event[2]
    return RECORD.pack(event[1], event[0], FORM_TUPLE, 0, NO_TASK if task is None else task, 0, 0)


def tuple_records(events: list) -> bytes:
    """Records for a list of event tuples (the recorder without the compiled module)."""
    return b"".join(map(tuple_record, events))


VALUE_INT, VALUE_NONE, VALUE_TRUE, VALUE_FALSE = 0, 1, 2, 3
"""How a whole yield or resume record holds its value (its ``flag``): an int32 in ``a``, or
a constant."""
_CONSTANT_REPRS = {VALUE_NONE: "None", VALUE_TRUE: "True", VALUE_FALSE: "False"}


def _value_repr(flag: int, a: int) -> str:
    if flag == VALUE_INT:
        return str(a - (1 << 32) if a >= 1 << 31 else a)
    if flag not in _CONSTANT_REPRS:
        raise ValueError(f"no value of form {flag}")
    return _CONSTANT_REPRS[flag]


def _binary_event(t: float, kind: int, flag: int, task: int, a: int, b: int) -> tuple:
    if kind == SWITCH:
        return (SWITCH, t, task, a, "throw" if flag else "switch")
    if kind == YIELD:
        return (YIELD, t, task, _value_repr(flag, a), b)
    if kind == RESUME:
        return (RESUME, t, task, _value_repr(flag, a), None)
    raise ValueError(f"no binary form for event kind {kind}")


def _decode_python(records: bytes, extras: list) -> list:
    tuples = iter(extras)
    events = []
    for t, kind, form, flag, task, a, b in RECORD.iter_unpack(records):
        whole = form != FORM_TUPLE
        events.append(_binary_event(t, kind, flag, task, a, b) if whole else next(tuples))
    return events


def decode(records: bytes, extras: list) -> list:
    """The agent tuples of a batch, in order."""
    if _compiled_decode is not None:
        return _compiled_decode(records, extras)
    return _decode_python(records, extras)


def shift_times(records: bytes, extras: list, delta: float) -> tuple[bytes, list]:
    """A batch with ``delta`` seconds taken off every event's time: the dashboard keeps its
    run's recording in program time, each stop's length left out (session.py)."""
    times = memoryview(bytearray(records)).cast("d")
    times[::3] = array("d", [t - delta for t in times[::3]])
    shifted = [(event[0], event[1] - delta, *event[2:]) for event in extras]
    return times.tobytes(), shifted


class WholeRun:
    """A run of whole records (no tuples) as columns: what folding it into the run's model
    needs, read without a Python step per event. A task's state is set by its last event;
    a generator is never a switch's target or origin, so switches and generator events fold
    apart (model.RunModel.apply_whole)."""

    __slots__ = ("count", "generators", "last_t", "origins", "resumes", "targets", "yields")

    def __init__(self, records: bytes, t0: float) -> None:
        self.count = count = len(records) // SIZE
        words = memoryview(records).cast("I")
        codes = records[KIND_OFFSET::SIZE]
        self.last_t: float = RECORD.unpack_from(records, len(records) - SIZE)[0] - t0
        tasks = words[3::6].tolist()
        if codes.count(SWITCH) == count:
            self.targets, self.origins = tasks, words[4::6].tolist()
            self.yields: Counter[int] = Counter()
            self.resumes = 0
            self.generators: dict[int, tuple[int, str | None, int | None]] = {}
            return
        switches = codes.translate(_SWITCHES)
        self.targets = list(compress(tasks, switches))
        self.origins = list(compress(words[4::6], switches))
        self.resumes = codes.count(RESUME)
        yields, ours = codes.translate(_YIELDS), codes.translate(_GENERATOR_EVENTS)
        generators = set(compress(tasks, ours))
        if len(generators) == 1:  # the common run: one generator's resumes and yields
            (task,) = generators
            count_yields = yields.count(1)
            self.yields = Counter({task: count_yields} if count_yields else {})
            last_yield = {task: yields.rfind(1)} if count_yields else {}
            last = {task: ours.rfind(1)}
        else:
            self.yields = Counter(compress(tasks, yields))
            last_yield, last = _last_places(tasks, yields), _last_places(tasks, ours)
        self.generators = {}
        """Each generator's last kind, and its last yield's value and line (or None)."""
        for task, at in last.items():
            value = line = None
            if task in last_yield:
                _, _, _, flag, _, a, line = RECORD.unpack_from(records, last_yield[task] * SIZE)
                value = _value_repr(flag, a)
            self.generators[task] = (codes[at], value, line)


def _last_places(tasks: list[int], chosen: bytes) -> dict[int, int]:
    """Where each task's last chosen record is (``chosen``: 1 for a chosen record)."""
    places = compress(range(len(tasks)), chosen)
    return dict(zip(compress(tasks, chosen), places, strict=True))


def _mask(*codes: int) -> bytes:
    """A translate table: 1 for each of ``codes``, 0 for every other byte."""
    table = bytearray(256)
    for code in codes:
        table[code] = 1
    return bytes(table)


_SWITCHES, _YIELDS, _GENERATOR_EVENTS = _mask(SWITCH), _mask(YIELD), _mask(YIELD, RESUME)
_WHOLE = _mask(FORM_BINARY)
_TOP_BIT = _mask(0x80)


class RecordFilter:
    """The events pane's filters (kinds by name, a task), read from whole records without
    making their events: which of a batch's whole records they would show. A switch shows
    for its origin too."""

    __slots__ = ("codes", "task")

    def __init__(self, kinds: frozenset[str] | None, task: int | None) -> None:
        self.codes = None if kinds is None else _mask(*map(KIND_NAMES.index, kinds))
        self.task = task

    def whole_matches(self, records: bytes) -> bytes:
        """1 for each whole record the filters show, 0 for every other record."""
        count = len(records) // SIZE
        codes = records[KIND_OFFSET::SIZE]
        shown = _bits(records[FORM_OFFSET::SIZE].translate(_WHOLE))
        if self.codes is not None:
            shown &= _bits(codes.translate(self.codes))
        if self.task is not None:
            words = memoryview(records).cast("I")
            origin = _bits(_equal_words(words[4::6], self.task)) & _bits(codes.translate(_SWITCHES))
            shown &= _bits(_equal_words(words[3::6], self.task)) | origin
        return shown.to_bytes(count, "little")


def _bits(flags: bytes) -> int:
    """Bytes of 0 and 1 as one int, so that masks combine with ``&`` and ``|`` at C speed."""
    return int.from_bytes(flags, "little")


def _equal_words(words: memoryview, value: int) -> bytes:
    """1 for each 32-bit word equal to ``value``, else 0: all compared at once, as one int
    with a 32-bit lane per word (a Python step per word cost a millisecond a batch)."""
    n = len(words)
    x = _bits(words.tobytes()) ^ _bits(struct.pack("<I", value) * n)
    low, high = _bits(b"\xff\xff\xff\x7f" * n), _bits(b"\x00\x00\x00\x80" * n)
    differs = (((x & low) + low) | x) & high  # a lane's top bit, set when it is not zero
    return (differs ^ high).to_bytes(4 * n, "little")[3::4].translate(_TOP_BIT)


def kinds(records: bytes) -> bytes:
    """Each record's event code, one byte each: ``kinds(r).find(SWITCH)`` and friends."""
    return records[KIND_OFFSET::SIZE]


def count_kinds(codes: bytes) -> Counter[str]:
    """How many events of each kind (by name) a batch holds, from its ``kinds``: a scan per
    kind at memory speed (a Counter over the bytes made an int per event)."""
    counts = ((name, codes.count(code)) for code, name in enumerate(KIND_NAMES))
    return Counter({name: n for name, n in counts if n})


class Batch:
    """One batch taken from the recorder, which watchers on the channel's thread may read
    and add to before it is sent."""

    __slots__ = ("extras", "records")

    def __init__(self, records: bytes, extras: list) -> None:
        self.records = records
        self.extras = extras

    def __len__(self) -> int:
        return len(self.records) // SIZE

    def kinds(self) -> bytes:
        return kinds(self.records)

    def last_of(self, kind: int) -> int:
        """The index of the batch's last event of ``kind``, -1 when there is none. The last
        record is looked at first: in a flood of switches it is one, and the channel holds
        the GIL while its watchers read."""
        records = self.records
        if records and records[len(records) - SIZE + KIND_OFFSET] == kind:
            return len(records) // SIZE - 1
        return kinds(records).rfind(kind)

    def time_and_task(self, index: int) -> tuple[float, int | None]:
        t, task = _TIME_TASK.unpack_from(self.records, index * SIZE)
        return t, None if task == NO_TASK else task

    def insert(self, index: int, event: tuple) -> None:
        """Add an event before the one at ``index``."""
        at = index * SIZE
        before = self.records[FORM_OFFSET:at:SIZE].count(FORM_TUPLE)
        self.records = self.records[:at] + tuple_record(event) + self.records[at:]
        self.extras.insert(before, event)

    def last(self) -> Any:
        """The batch's last event, as a tuple."""
        return decode(self.records[-SIZE:], self.extras[-1:])[0]
