"""gevent monkey patching, under the controller's patch mode.

``auto`` runs the program as written, ``on`` calls ``patch_all()`` before it, ``off`` turns
the program's own ``patch_all()``/``patch_*()`` calls into no-ops. Each patch, applied or
refused, becomes a PATCH event. gevent's own events do the work: a subscriber raising
``DoNotPatch`` on a will-patch event cancels that patch.
"""

from __future__ import annotations

from corodash.protocol import PATCH

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import ModuleType

AUTO, ON, OFF = "auto", "on", "off"
MODES = (AUTO, ON, OFF)


class PatchPolicy:
    """Subscribes to gevent's patch events once gevent is imported."""

    def __init__(
        self,
        mode: str,
        emit: Callable[[tuple], None],
        clock: Callable[[], float],
        current_task: Callable[[], int],
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"patch mode must be one of {', '.join(MODES)}, not {mode!r}")
        self.mode = mode
        self._emit = emit
        self._clock = clock
        self._current_task = current_task

    def gevent_imported(self, gevent: ModuleType) -> None:
        from gevent import events

        self._events = events
        events.subscribers.append(self._on_gevent_event)

    def apply_before_script(self) -> None:
        if self.mode == ON:
            from gevent import monkey

            monkey.patch_all()

    def _on_gevent_event(self, event: object) -> None:
        events = self._events
        if isinstance(event, events.GeventWillPatchAllEvent):
            if self.mode == OFF:
                self._record("all", False)
                raise events.DoNotPatch()
        elif isinstance(event, events.GeventWillPatchModuleEvent):
            if self.mode == OFF:
                self._record(event.module_name, False)
                raise events.DoNotPatch()
        elif isinstance(event, events.GeventDidPatchModuleEvent):
            self._record(event.module_name, True)
        elif isinstance(event, events.GeventDidPatchAllEvent):
            self._record("all", True)

    def _record(self, what: str, applied: bool) -> None:
        self._emit((PATCH, self._clock(), self._current_task(), what, applied))
