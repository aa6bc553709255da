"""Generator and iterator events through ``sys.monitoring`` (Python 3.12+).

Only PY_START, PY_THROW and PY_UNWIND are global. The first entry into any code object that
is not a user generator or iterator ``__next__`` returns DISABLE, so other code runs at full
speed from then on; user generator code gets local RESUME/YIELD/RETURN events.
"""

from __future__ import annotations

import sys

from corodash.agent.accelerator import GUARD_FRAMES, guard, speedups
from corodash.agent.frames import CO_GENERATOR
from corodash.agent.generator_events import resume_event, thrown_event, unwind_event
from corodash.agent.recording import Recording
from corodash.agent.resume_cause import discarding_resumes
from corodash.agent.values import PLAIN_TYPES, SMALL_INT, safe_repr
from corodash.protocol import RESUME, RETURN, YIELD

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import CodeType

_TOOL_CANDIDATES = (4, 3, 5, 1, 0, 2)


class MonitoringTracer:
    """Installs the monitoring callbacks for one agent."""

    def __init__(self, rec: Recording) -> None:
        self.rec = rec
        self.tool: int | None = None
        self.traced: list[CodeType] = []
        """Code objects given local events: an attachment's detach takes them off."""

    def install(self) -> None:
        mon = sys.monitoring
        self.tool = next(t for t in _TOOL_CANDIDATES if mon.get_tool(t) is None)
        mon.use_tool_id(self.tool, "corodash")
        events = mon.events
        callbacks = _callbacks(self.rec, self.tool, self.traced)
        for event, callback in callbacks.items():
            mon.register_callback(self.tool, getattr(events, event), callback)
        mon.set_events(self.tool, events.PY_START | events.PY_THROW | events.PY_UNWIND)

    def uninstall(self) -> None:
        """Every callback off, every local event off (they would still call them), and the
        tool id given back: the interpreter as it was (an attachment detaching)."""
        if self.tool is not None:
            mon = sys.monitoring
            mon.set_events(self.tool, 0)
            for code in self.traced:
                mon.set_local_events(self.tool, code, 0)
            for event in _callbacks(self.rec, self.tool, []):
                mon.register_callback(self.tool, getattr(mon.events, event), None)
            mon.free_tool_id(self.tool)
            self.tool = None


def _callbacks(rec: Recording, tool: int, kept: list[CodeType]) -> dict[str, object]:
    """The callbacks, as closures over everything they touch (locals are fastest); ``kept``
    receives the code objects given local events."""
    mon = sys.monitoring
    disable = mon.DISABLE
    events = mon.events
    generator_local = events.PY_RESUME | events.PY_YIELD | events.PY_RETURN
    set_local_events = mon.set_local_events
    registry = rec.registry
    by_frame = registry.by_frame
    append, clock, gate = rec.append, rec.clock, rec.gate
    wants = rec.code_filter.wants
    cause = rec.cause
    cause_of = cause.of
    getframe = sys._getframe
    caller = 1 + GUARD_FRAMES  # the traced frame, above this callback (and its guard)
    generator_flag = CO_GENERATOR
    plain_types = PLAIN_TYPES
    small_int = SMALL_INT
    # Keyed by id(code): hashing a code object hashes its constants, on every event. The
    # traced code objects are kept alive so that their ids stay theirs.
    gen_codes: dict[int, frozenset[int]] = {}
    """Traced generator code -> the offsets of its value-discarding resumes."""
    iter_codes: set[int] = set()

    def on_start(code: CodeType, offset: int) -> object:
        key = id(code)
        if key not in gen_codes and key not in iter_codes and not first_entry(code):
            return disable
        if key in gen_codes:
            tid = registry.generator_started(getframe(caller))
        else:
            tid = registry.iterator_entered(getframe(caller))
            if tid is None:
                return None
        append((RESUME, clock(), tid, "None", None))
        if gate.hold:
            gate.event()
        return None

    def first_entry(code: CodeType) -> bool:
        """Decide once per code object whether it is traced; set its local events if so."""
        if code.co_flags & generator_flag and wants(code):
            kept.append(code)
            gen_codes[id(code)] = discarding_resumes(code)
            set_local_events(tool, code, generator_local)
            return True
        if code.co_name == "__next__" and wants(code):
            kept.append(code)
            iter_codes.add(id(code))
            set_local_events(tool, code, events.PY_RETURN)
            return True
        return False

    def on_resume(code: CodeType, offset: int) -> None:
        frame = getframe(caller)
        tid = by_frame.get(id(frame))
        if tid is None:
            tid = registry.generator_started(frame)
        if offset in gen_codes[id(code)] and cause.driven is None:
            append((RESUME, clock(), tid, "None", None))
            if gate.hold:
                gate.event()
            return
        event = resume_event(clock(), tid, cause_of(frame.f_back))
        if event is not None:
            append(event)
            if gate.hold:
                gate.event()

    def on_yield(code: CodeType, offset: int, value: object) -> None:
        frame = getframe(caller)
        tid = by_frame.get(id(frame))
        if tid is not None:
            kind = type(value)
            if (kind is int and -small_int < value < small_int) or kind in plain_types:
                shown = repr(value)
            else:
                shown = safe_repr(value)
            append((YIELD, clock(), tid, shown, frame.f_lineno))
            if gate.hold:
                gate.event()

    def on_return(code: CodeType, offset: int, value: object) -> None:
        frame = getframe(caller)
        tid = by_frame.pop(id(frame), None)
        if tid is None:
            return
        if id(code) in iter_codes:
            append((YIELD, clock(), tid, safe_repr(value), frame.f_lineno))
        else:
            append((RETURN, clock(), tid, safe_repr(value)))
        if gate.hold:
            gate.event()

    def on_throw(code: CodeType, offset: int, error: BaseException) -> None:
        if id(code) not in gen_codes:
            return
        frame = getframe(caller)
        tid = by_frame.get(id(frame))
        if tid is None:
            tid = registry.generator_started(frame)
        append(thrown_event(clock(), tid, error))
        if gate.hold:
            gate.event()

    def on_unwind(code: CodeType, offset: int, error: BaseException) -> None:
        key = id(code)
        iterator = key in iter_codes
        if not iterator and key not in gen_codes:
            return
        tid = by_frame.pop(id(getframe(caller)), None)
        if tid is not None:
            append(unwind_event(clock(), tid, error, iterator))
            if gate.hold:
                gate.event()

    if speedups is not None and rec.compiled:
        fast = speedups.GeneratorHooks(
            by_frame=by_frame,
            discarding=gen_codes,
            buffer=append.__self__,
            clock=clock,
            gate=gate,
            cause=cause,
            plain_types=plain_types,
            safe_repr=safe_repr,
            small_int=small_int,
            resume_fallback=on_resume,
            yield_fallback=on_yield,
            yield_code=YIELD,
        )
        on_resume, on_yield = fast.on_resume, fast.on_yield
    else:  # behind guards: a stop the gate asks for is taken after the callback returns
        on_resume, on_yield = guard(on_resume), guard(on_yield)
    return {
        "PY_START": guard(on_start),
        "PY_RESUME": on_resume,
        "PY_YIELD": on_yield,
        "PY_RETURN": guard(on_return),
        "PY_THROW": guard(on_throw),
        "PY_UNWIND": guard(on_unwind),
    }
