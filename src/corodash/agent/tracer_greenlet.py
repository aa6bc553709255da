"""Greenlet switches through ``greenlet.settrace`` (every switch, to and from the hub too).

The callback chains to the tracer it replaced (gevent's monitor thread installs one) and never
raises: greenlet would remove it and throw the error into the target. A plain greenlet's
``run`` is gone by the time it first runs, so when one appears that way its switch is held
back until a one-shot profile hook sees the first function it calls, which names it.
"""

from __future__ import annotations

import sys

from corodash.agent.accelerator import guard, speedups
from corodash.agent.generator_events import error_text
from corodash.agent.recording import Recording
from corodash.agent.registry import GREENLET
from corodash.agent.values import safe_repr
from corodash.protocol import MAIN_TASK, RAISE, RETURN, SWITCH

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import FrameType
    from typing import Any


class GreenletTracer:
    """Installed when the program imports greenlet."""

    def __init__(self, rec: Recording) -> None:
        self.rec = rec
        self.module: Any = None
        self.previous: Any = None
        self._held: tuple | None = None
        self._saved_profile: Any = None

    def install(self, module: Any) -> None:
        """When the program imports greenlet: its current greenlet is the main task."""
        registry = self.rec.registry
        registry.greenlet_module = module
        registry.alias(module.getcurrent(), MAIN_TASK)
        self.attach(module)

    def attach(self, module: Any) -> None:
        """On the calling thread, in front of the tracer already there (called in turn)."""
        self.module = module
        self.previous = module.gettrace()
        module.settrace(self._callback())

    def uninstall(self) -> None:
        """Put back the tracer that was there before."""
        if self.module is not None:
            self.module.settrace(self.previous)
            self.module = None

    def _callback(self):
        rec = self.rec
        registry = rec.registry
        get = registry.by_address.get
        append, clock, gate = rec.append, rec.clock, rec.gate
        previous = self.previous
        tracer = self

        def on_greenlet(event: str, args: Any) -> None:
            # greenlet reports only 'switch' and 'throw', both with (origin, target).
            origin, target = args
            origin_id = get(id(origin))
            target_id = get(id(target))
            # The common case: both known, and the origin not finished. (``dead``, not a
            # truth test: a subclass may define ``__bool__``, gevent's Greenlet does.)
            if origin_id is None or target_id is None or origin.dead:
                ids = tracer._first_sight_or_end(event, origin, target, origin_id, target_id)
                if ids is None:
                    if previous is not None:
                        previous(event, args)
                    return
                origin_id, target_id = ids
            append((SWITCH, clock(), target_id, origin_id, event))
            if gate.hold:
                gate.event()
            if previous is not None:
                previous(event, args)

        # An error must not be raised here (it would kill the target greenlet): the guard,
        # or the compiled hook in front, contains it (accelerator.py).
        if speedups is None or not rec.compiled:
            return guard(on_greenlet)
        return speedups.SwitchHook(
            by_address=registry.by_address,
            buffer=append.__self__,
            gate=gate,
            fallback=on_greenlet,
            previous=previous,
        )

    def _first_sight_or_end(
        self, event: str, origin: Any, target: Any, origin_id: int | None, target_id: int | None
    ) -> tuple[int, int] | None:
        """Register greenlets seen for the first time and record the end of a finished origin;
        None when the switch is held back until its unnamed target shows its function."""
        registry = self.rec.registry
        if origin_id is None:
            origin_id = registry.greenlet_seen(origin)
        if origin.dead:
            self.rec.append(self._ending(origin, origin_id, event))
        if target_id is None:
            if self._unnamed(target):
                self._hold(self.rec.clock(), origin_id, event)
                return None
            target_id = registry.greenlet_seen(target)
        return origin_id, target_id

    def _ending(self, glet: Any, tid: int, event: str) -> tuple:
        """The RETURN or RAISE of a greenlet that has just finished."""
        now = self.rec.clock()
        error = getattr(glet, "exception", None)  # gevent keeps the outcome on the Greenlet
        if error is not None:
            return (RAISE, now, tid, error_text(error))
        if event == "throw":
            return (RAISE, now, tid, "raised an exception (see the traceback)")
        value = getattr(glet, "value", None)
        return (RETURN, now, tid, safe_repr(value) if value is not None else None)

    def _unnamed(self, glet: Any) -> bool:
        """A plain greenlet already running whose function is no longer known."""
        return getattr(glet, "run", None) is None and glet.gr_frame is None and not glet.dead

    def _hold(self, t: float, origin_id: int, event: str) -> None:
        self._held = (t, origin_id, event)
        self._saved_profile = sys.getprofile()
        sys.setprofile(guard(self._first_call))

    def _first_call(self, frame: FrameType, event: str, arg: Any) -> None:
        sys.setprofile(self._saved_profile)
        held, self._held = self._held, None
        if held is None:
            return
        t, origin_id, event_name = held
        if event == "call":
            code = frame.f_code
            name, file, line = code.co_name, code.co_filename, code.co_firstlineno
        else:
            name, file, line = getattr(arg, "__name__", "greenlet"), None, None
        rec = self.rec
        glet = self.module.getcurrent()
        parent = rec.registry.by_address.get(id(glet.parent)) if glet.parent else None
        # Announced at the switch's time, so that time never runs backwards in the trace.
        target_id = rec.registry.add(glet, name, GREENLET, parent, file, line, t=t)
        rec.append((SWITCH, t, target_id, origin_id, event_name))
        if rec.gate.hold:
            rec.gate.event()
