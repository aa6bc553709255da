"""Drive commands: next, send, throw, close and switch, run on the agent's main thread.

They run user code, traced, so whatever they cause arrives as ordinary events; the reply says
how the command ended. Checks come first, with messages that say what to do instead.
"""

from __future__ import annotations

import builtins
from types import GeneratorType

from corodash.agent.frames import generator_state
from corodash.agent.generator_events import error_text
from corodash.agent.registry import GEVENT, ITERATOR, Registry, Task
from corodash.agent.resume_cause import CLOSE, NEXT, SEND_CONST, THROW, ResumeCause
from corodash.agent.values import safe_repr
from corodash.protocol import RAISE, RESUME, LiteralError, parse_literal

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

DRIVE_COMMANDS = ("next", "send", "throw", "close", "switch")


class DriveError(Exception):
    """A drive command that cannot run; the message is shown to the user as is."""


class Driver:
    def __init__(
        self,
        registry: Registry,
        cause: ResumeCause,
        namespace: dict[str, Any],
        append: Any,
        clock: Any,
    ) -> None:
        self.registry = registry
        self.cause = cause
        self.namespace = namespace
        self.append = append
        self.clock = clock

    def run(self, name: str, task: Task, args: list[Any]) -> dict[str, Any]:
        obj = task.obj()
        if obj is None:
            raise DriveError(
                f"{task.name} (task {task.tid}) no longer exists: "
                "the program dropped its last reference"
            )
        if name == "switch":
            return self._switch(task, obj, args)
        if task.kind == ITERATOR:
            if name != "next":
                raise DriveError(f"{task.name} is an iterator: only next() applies to it")
            return _as_next_call(self._resume(obj, (NEXT, None), lambda: next(obj)))
        if not isinstance(obj, GeneratorType):
            raise DriveError(f"{task.name} is a {task.kind}, not a generator: use switch")
        state = generator_state(obj)
        if state == "closed":
            raise DriveError(f"{task.name} has finished: a finished generator cannot be resumed")
        if state == "running":
            raise DriveError(
                f"ValueError: generator already executing: {task.name} is running right now "
                "(it is where the program stands); step or continue until it yields"
            )
        if name == "next":
            return self._resume(obj, (NEXT, None), lambda: next(obj))
        if name == "send":
            return self._send(task, obj, state, args)
        if name == "throw":
            error = self._exception(args)
            return self._resume(obj, (THROW, None), lambda: obj.throw(error))
        if name == "close":
            return self._close(task, obj)
        raise DriveError(f"unknown drive command {name!r}")

    def _send(self, task: Task, gen: GeneratorType, state: str, args: list[Any]) -> dict:
        if not args:
            raise DriveError("send needs a value, a Python literal such as 3, 'text' or None")
        value = _literal(str(args[0]))
        if state == "created" and value is not None:
            raise DriveError(
                "TypeError: can't send non-None value to a just-started generator. "
                f"{task.name} has not reached its first yield yet: use next (or send None) "
                "first, then send the value."
            )
        return self._resume(gen, (SEND_CONST, safe_repr(value)), lambda: gen.send(value))

    def _close(self, task: Task, gen: GeneratorType) -> dict:
        frame_key = id(gen.gi_frame)
        answer = self._resume(gen, (CLOSE, None), gen.close)
        if self.registry.by_frame.pop(frame_key, None) is not None:
            # Some Pythons emit no event for closing a generator paused outside any try.
            now = self.clock()
            self.append((RESUME, now, task.tid, None, "GeneratorExit()"))
            self.append((RAISE, now, task.tid, "GeneratorExit"))
        answer["outcome"] = "closed" if answer["outcome"] != "raised" else "raised"
        return answer

    def _resume(self, gen: Any, cause: tuple[int, object], call: Any) -> dict[str, Any]:
        self.cause.driven = cause
        try:
            value = call()
        except StopIteration as stop:
            return {"outcome": "returned", "value": safe_repr(stop.value)}
        except BaseException as error:
            return {"outcome": "raised", "error": error_text(error)}
        finally:
            self.cause.driven = None
        return {"outcome": "yielded", "value": safe_repr(value)}

    def _switch(self, task: Task, glet: Any, args: list[Any]) -> dict[str, Any]:
        if not self.registry.is_greenlet(glet):
            raise DriveError(f"{task.name} is a {task.kind}: switch applies to greenlets")
        if task.kind == GEVENT:
            raise DriveError(
                f"{task.name} is scheduled by gevent's hub: corodash switches "
                "only plain greenlets (use join or sleep in the program)"
            )
        if glet.dead:
            raise DriveError(f"{task.name} has finished: a dead greenlet cannot be switched to")
        if glet is self.registry.greenlet_module.getcurrent():
            raise DriveError(f"{task.name} is the greenlet running now")
        values = [_literal(str(a)) for a in args]
        try:
            result = glet.switch(*values)
        except BaseException as error:
            return {"outcome": "raised", "error": error_text(error)}
        return {"outcome": "switched back", "value": safe_repr(result)}

    def _exception(self, args: list[Any]) -> BaseException:
        if not args:
            raise DriveError("throw needs an exception name, such as ValueError")
        name, message = str(args[0]), " ".join(str(a) for a in args[1:])
        candidate = self.namespace.get(name, getattr(builtins, name, None))
        if candidate is None and name == "GreenletExit" and self.registry.greenlet_module:
            candidate = self.registry.greenlet_module.GreenletExit
        if not (isinstance(candidate, type) and issubclass(candidate, BaseException)):
            raise DriveError(
                f"{name!r} is not an exception class (try ValueError, "
                "KeyError, GeneratorExit or one your program defines)"
            )
        return candidate(message) if message else candidate()


def _literal(text: str) -> Any:
    try:
        return parse_literal(text)
    except LiteralError as error:
        raise DriveError(str(error)) from None


def _as_next_call(answer: dict[str, Any]) -> dict[str, Any]:
    """An iterator's answer in its own terms: ``__next__`` returns values (it does not
    yield), and raises StopIteration when exhausted (it does not return)."""
    if answer["outcome"] == "yielded":
        return {**answer, "outcome": "returned from __next__"}
    if answer["outcome"] == "returned":
        return {"outcome": "raised", "error": "StopIteration (the iterator is exhausted)"}
    return answer
