"""Generator and iterator events through ``sys.settrace`` (Python 3.11).

A resume or start is a 'call' event; a yield or return is a 'return' event whose frame sits
on YIELD_VALUE or RETURN_VALUE; anywhere else it is an exception unwinding the frame. The one
ambiguous case, an exception thrown in at a yield that leaves at once, is the 'exception'
event at that same instruction with no line event since (line events are switched on in a
frame only after an exception, to see whether it is handled). Otherwise only calls pay.

Compiled, a C trace function stands in front of these (``_settrace.c``): calls of code not
traced cost no Python, and a resume by a ``for`` loop and a yield of a small value are
recorded whole; it hands every other case to these functions.
"""

from __future__ import annotations

import sys

from corodash.agent.accelerator import guard, speedups
from corodash.agent.frames import CO_GENERATOR
from corodash.agent.generator_events import resume_event, thrown_event, unwind_event
from corodash.agent.recording import Recording
from corodash.agent.resume_cause import CLOSE, THROW
from corodash.agent.values import safe_repr
from corodash.protocol import DIAGNOSTIC, MAIN_TASK, RESUME, RETURN, YIELD

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import CodeType, FrameType
    from typing import Any

# Python 3.11's opcode.opmap (a test checks them): importing opcode loads a C module, a
# tenth of the agent's import time
_YIELD_VALUE = 86
_RETURN_VALUE = 83


PROGRAM_TRACE_WARNING = (
    "the program set its own sys.settrace: Python 3.11 has one trace function per thread, "
    "so generator events on this thread stop here (Python 3.12 traces on, with sys.monitoring)"
)


class SettraceTracer:
    """Installs a global trace function for one agent (restoring the previous one).

    A program that calls ``sys.settrace`` itself replaces it: then it is said once, in a
    diagnostic event, rather than generator events silently stopping."""

    def __init__(self, rec: Recording) -> None:
        self.rec = rec
        self.previous = None
        self._settrace = sys.settrace
        self._warned = False

    def install(self) -> None:
        self.previous = sys.gettrace()
        functions = _trace_functions(self.rec)
        if speedups is not None and self.rec.compiled:
            hooks = speedups.SettraceHooks(
                classify=functions.classify,
                on_call=functions.on_call,
                generator_local=functions.on_generator_event,
                by_frame=self.rec.registry.by_frame,
                pending=functions.pending,
                line_codes=self.rec.line_codes,
                buffer=self.rec.append.__self__,
                gate=self.rec.gate,
                cause=self.rec.cause,
            )
            hooks.install()
        else:
            self._settrace(functions.on_call)
        sys.settrace = self._program_sets

    def uninstall(self) -> None:
        sys.settrace = self._settrace
        self._settrace(self.previous)

    def _program_sets(self, function: object) -> None:
        self._settrace(function)
        if not self._warned:
            self._warned = True
            self.rec.append((DIAGNOSTIC, self.rec.clock(), MAIN_TASK, PROGRAM_TRACE_WARNING))


class TraceFunctions:
    """The Python trace functions, and what the compiled hooks in front of them share."""

    def __init__(self, on_call: Any, on_generator_event: Any, classify: Any, pending: tuple):
        self.on_call = on_call
        """The global trace function (sys.settrace's)."""
        self.on_generator_event = on_generator_event
        """The local trace function of a generator's frames."""
        self.classify = classify
        """code -> NOT_TRACED, GENERATOR or TRACED (once per code: it keeps the code)."""
        self.pending = pending
        """The per-frame tables: a frame in one has an event only the Python side records."""


NOT_TRACED, GENERATOR, TRACED = range(3)


def _trace_functions(rec: Recording) -> TraceFunctions:
    registry = rec.registry
    by_frame = registry.by_frame
    append, clock, gate = rec.append, rec.clock, rec.gate
    wants = rec.code_filter.wants
    cause_of = rec.cause.of
    generator_flag = CO_GENERATOR
    verdicts: dict[CodeType, bool] = {}
    resumed_at: dict[int, int] = {}  # frame id -> f_lasti at resume (a throw raises there)
    throw_recorded: set[int] = set()
    raised_at: dict[int, BaseException] = {}  # frame id -> its latest exception
    fresh_raise: dict[int, int] = {}  # frame id -> f_lasti of an exception not yet handled

    line_codes = rec.line_codes
    wrap_frame = rec.wrap_frame or (lambda frame, local: local)

    def on_call(frame: FrameType, event: str, arg: object):
        code = frame.f_code
        wanted = verdicts.get(code)
        if wanted is None:
            wanted = verdicts[code] = classify(code) != NOT_TRACED
        if line_codes and id(code) in line_codes:
            return wrap_frame(frame, on_task_call(frame) if wanted else None)
        return on_task_call(frame) if wanted else None

    def on_task_call(frame: FrameType):
        code = frame.f_code
        frame.f_trace_lines = False
        if not code.co_flags & generator_flag:
            tid = registry.iterator_entered(frame)
            if tid is None:
                return None
            append((RESUME, clock(), tid, "None", None))
            if gate.hold:
                gate.event()
            return on_iterator_event
        key = id(frame)
        tid = by_frame.get(key)
        if tid is None:
            tid = registry.generator_started(frame)
            event_tuple = (RESUME, clock(), tid, "None", None)
        else:
            cause = cause_of(frame.f_back)
            resumed_at[key] = frame.f_lasti
            if cause[0] == CLOSE:
                throw_recorded.add(key)
            event_tuple = resume_event(clock(), tid, cause) if cause[0] != THROW else None
        if event_tuple is not None:
            append(event_tuple)
            if gate.hold:
                gate.event()
        return on_generator_event

    def on_generator_event(frame: FrameType, event: str, arg: object):
        key = id(frame)
        if event == "exception":
            error = arg[1]  # type: ignore[index]
            lasti = frame.f_lasti
            if resumed_at.pop(key, None) == lasti:
                if key in throw_recorded:
                    throw_recorded.discard(key)
                else:
                    append(thrown_event(clock(), by_frame.get(key, 0), error))
                    if gate.hold:
                        gate.event()
            raised_at[key] = error
            fresh_raise[key] = lasti
            frame.f_trace_lines = True  # a line event next means the frame handles it
            return on_generator_event
        if event == "line":
            fresh_raise.pop(key, None)
            frame.f_trace_lines = False
            return on_generator_event
        if event != "return":
            return on_generator_event
        resumed_at.pop(key, None)
        throw_recorded.discard(key)
        lasti = frame.f_lasti
        opcode = frame.f_code.co_code[lasti]
        raised = raised_at.pop(key, None)
        fresh = fresh_raise.pop(key, None) == lasti
        if opcode == _YIELD_VALUE and not fresh:
            tid = by_frame.get(key)
            if tid is not None:
                append((YIELD, clock(), tid, safe_repr(arg), frame.f_lineno))
        elif opcode == _RETURN_VALUE:
            tid = by_frame.pop(key, None)
            if tid is not None:
                append((RETURN, clock(), tid, safe_repr(arg)))
        else:
            tid = by_frame.pop(key, None)
            if tid is not None and raised is not None:
                append(unwind_event(clock(), tid, raised, False))
        if gate.hold:
            gate.event()
        return on_generator_event

    def on_iterator_event(frame: FrameType, event: str, arg: object):
        key = id(frame)
        if event == "exception":
            raised_at[key] = arg[1]  # type: ignore[index]
        elif event == "return":
            tid = by_frame.pop(key, None)
            raised = raised_at.pop(key, None)
            if tid is None:
                return None
            if frame.f_code.co_code[frame.f_lasti] != _RETURN_VALUE and raised is not None:
                append(unwind_event(clock(), tid, raised, True))
            else:
                append((YIELD, clock(), tid, safe_repr(arg), frame.f_lineno))
            if gate.hold:
                gate.event()
        return on_iterator_event

    classified: list[CodeType] = []

    def classify(code: CodeType) -> int:
        classified.append(code)  # its id stays its own
        if not wants(code):
            return NOT_TRACED
        if code.co_flags & generator_flag:
            return GENERATOR
        return TRACED if code.co_name == "__next__" else NOT_TRACED

    # Behind guards: a stop the gate asks for is taken after the callback returns.
    on_generator_event = guard(on_generator_event)
    on_iterator_event = guard(on_iterator_event)
    pending = (resumed_at, throw_recorded, raised_at, fresh_raise)
    return TraceFunctions(guard(on_call), on_generator_event, classify, pending)
