"""Finding greenlets that hold the CPU without letting gevent's hub run.

Our own sampling, not gevent's monitor thread: every greenlet switch is in the trace, so the
channel's thread, which sees each batch of events before it sends it, knows when the current
stretch began (the last switch) and which task runs it. On its ticks, every few milliseconds,
once a stretch outlasts the threshold it samples the main thread's stack (the user's innermost
frame and the call it is in): a call seen in 80% of the samples is the blocking call; a stack
that moves is busy code (no call). The stretch's BLOCK event goes into the batch just before
the switch that ends it, so its ``seconds`` are exact and it sits in order in the trace. The
traced thread does nothing for it. gevent's monitor thread would add a second greenlet tracer
and only report the hub's view, so it is not used.
"""

from __future__ import annotations

import sys
from collections import Counter
from time import perf_counter
from types import ModuleType

from corodash.agent.program_clock import ProgramClock
from corodash.agent.registry import Registry
from corodash.agent.usercode import CodeFilter
from corodash.protocol import BLOCK, SWITCH
from corodash.records import Batch

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ast
    from types import CodeType, FrameType
    from typing import Any

DEFAULT_THRESHOLD = 0.1
SAMPLE_INTERVAL = 0.005
"""How often a stretch found blocking has its stack sampled."""


class BlockDetector:
    """Lives on the channel's thread; the runner closes the last stretch when the run ends."""

    __slots__ = (
        "clock",
        "code_filter",
        "main_thread",
        "registry",
        "running",
        "samples",
        "since",
        "threshold",
    )

    def __init__(
        self,
        registry: Registry,
        code_filter: CodeFilter,
        main_thread: int,
        threshold: float,
        clock: ProgramClock,
    ) -> None:
        self.registry = registry
        self.clock = clock
        """Stops are not blocks: no sampling while stopped, and a stretch's start moves past
        each stop, so its seconds are program time."""
        clock.on_resume.append(self._after_stop)
        self.code_filter = code_filter
        self.main_thread = main_thread
        self.threshold = threshold
        self.since = 0.0
        """When the current stretch began: the time of the last switch sent."""
        self.running: int | None = None
        """The task that switch went to."""
        self.samples: list[tuple[float, tuple[str, str | None]]] = []
        """The current stretch's (time, (file:line, call)) samples, once it is a block."""

    def see(self, batch: Batch) -> None:
        """A batch of events about to be sent: its first switch ends the current stretch, its
        last switch starts the next one."""
        last = batch.last_of(SWITCH)
        if last < 0:
            return
        if self.samples:
            first = batch.kinds().find(SWITCH)
            block = self._stretch_end(batch.time_and_task(first)[0])
            if block is not None:
                batch.insert(first, block)
                last += 1
        self.since, self.running = batch.time_and_task(last)

    def _after_stop(self, stopped_at: float, seconds: float) -> None:
        if self.since <= stopped_at:
            self.since += seconds

    def tick(self, now: float) -> float | None:
        """Detection starts once gevent has a hub: before, nothing is waiting to run. The
        seconds until the next look it needs: when the stretch would become a block, then
        every SAMPLE_INTERVAL while it lasts; None when no other task than the hub runs."""
        hub = self.registry.hub_tid
        if self.clock.stopped or hub is None or self.running in (None, hub):
            return None
        waited = now - self.since
        if waited < self.threshold:
            return self.threshold - waited
        sample = self.place(sys._current_frames().get(self.main_thread))
        # Stamped once read: a sample stamped before the switch that ends the stretch was
        # read before it, and belongs to it.
        self.samples.append((perf_counter(), sample))
        return SAMPLE_INTERVAL

    def close(self, t: float, append: Any) -> None:
        """Record a stretch still blocking when the run ends at ``t``."""
        block = self._stretch_end(t)
        if block is not None:
            append(block)

    def _stretch_end(self, t: float) -> tuple | None:
        """The BLOCK event of the stretch that ends at ``t``, if it was found blocking."""
        samples, self.samples = self.samples, []
        counted = Counter(sample for stamp, sample in samples if stamp <= t)
        if not counted or self.running is None:
            return None
        where, call = verdict(counted)
        return (BLOCK, t, self.running, round(t - self.since, 6), where, call)

    def place(self, frame: FrameType | None) -> tuple[str, str | None]:
        """The user's innermost frame as file:line, and the call it is making."""
        inner = None
        while frame is not None:
            if self.code_filter.wants(frame.f_code):
                inner = frame
                break
            frame = frame.f_back
        if inner is None:
            return ("?", None)
        where = f"{inner.f_code.co_filename}:{inner.f_lineno}"
        return (where, call_name(inner))


CALL_SHARE = 0.8
"""A call seen in this share of a stretch's samples is its blocking call."""


def verdict(samples: Counter[tuple[str, str | None]]) -> tuple[str, str | None]:
    """The place and call of a stretch from its samples: the call nearly every sample was
    in, or, when the stack moved about, busy code (no call) at its most frequent place."""
    known = Counter({key: n for key, n in samples.items() if key[0] != "?"}) or samples
    (where, call), count = known.most_common(1)[0]
    if call is not None and count >= CALL_SHARE * sum(known.values()):
        return where, call
    places = Counter()
    for (place, _), n in known.items():
        places[place] += n
    return places.most_common(1)[0][0], None


_call_sites: dict[tuple[CodeType, int], tuple[str, ...] | None] = {}


def call_name(frame: FrameType) -> str | None:
    """``time.sleep``, ``socket.recv``, ``subprocess.run``: the call ``frame`` is inside,
    named the way its module calls it; None when the frame is running its own code."""
    key = (frame.f_code, frame.f_lasti)
    if key not in _call_sites:
        _call_sites[key] = _callee_path(frame.f_code, frame.f_lasti)
    path = _call_sites[key]
    if not path:
        return None
    try:
        return _resolve(frame, path)
    except Exception:  # the user's __getattr__ may raise anything: name it as written
        return ".".join(path)


def _callee_path(code: CodeType, lasti: int) -> tuple[str, ...] | None:
    """The dotted callee of the call expression the instruction at ``lasti`` belongs to,
    read from the source span CPython records for it (``co_positions``)."""
    positions = list(code.co_positions())
    index = lasti // 2
    if index >= len(positions) or None in positions[index]:
        return None
    import ast  # only once a block is found: parsing stays out of the agent's start-up
    import linecache

    first, last, start, end = positions[index]  # type: ignore[misc]
    lines = linecache.getlines(code.co_filename)[first - 1 : last]
    if not lines:
        return None
    lines[-1] = lines[-1][:end]
    lines[0] = lines[0][start:]
    try:
        node = ast.parse("".join(lines).strip(), mode="eval").body
    except SyntaxError:
        return None
    if not isinstance(node, ast.Call):
        return None
    return _dotted(node.func)


def _dotted(node: ast.expr) -> tuple[str, ...] | None:
    import ast

    if isinstance(node, ast.Name):
        return (node.id,)
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return (*head, node.attr) if head else None
    return None


def _resolve(frame: FrameType, path: tuple[str, ...]) -> str:
    """Name the callee by where it lives: ``sleep`` from ``from time import sleep`` is
    ``time.sleep``; ``sock.recv`` on a socket is ``socket.recv``."""
    head, *rest = path
    missing = object()
    obj = frame.f_locals.get(head, missing)
    if obj is missing:
        obj = frame.f_globals.get(head, missing)
    if obj is missing:
        return ".".join(path)
    if isinstance(obj, ModuleType):
        return ".".join([obj.__name__, *rest])
    if not rest:
        module = getattr(obj, "__module__", None)
        name = getattr(obj, "__qualname__", head)
        return f"{module}.{name}" if module and module != "builtins" else str(name)
    return ".".join([type(obj).__name__, *rest])
