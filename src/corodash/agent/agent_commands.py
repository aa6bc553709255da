"""The agent's answers to the controller's commands, on the command thread: step, continue,
pause, hub, stop, tasks, where, and the drive commands (run on the main thread at its pause
point). A mixin of Agent, whose gate, driver and inspector it uses.
"""

from __future__ import annotations

import os
import time
from _signal import pthread_kill
from _thread import start_new_thread

from corodash.agent.accelerator import speedups
from corodash.agent.channel import Channel
from corodash.agent.discovery import discover
from corodash.agent.drive import DRIVE_COMMANDS, DriveError, Driver
from corodash.agent.gate import Gate
from corodash.agent.inspection import Inspector
from corodash.agent.line_breaks import LineBreaks
from corodash.agent.registry import Registry, Task
from corodash.agent.stop_signal import StopSignal
from corodash.protocol import BLOCK, REPLY, Command
from corodash.records import Batch

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

BREAK_COMMANDS = ("break", "breaks", "clear", "toggle")

INTERRUPT_GRACE = 0.05
"""Seconds a stop asked for gets to come at an event before the main thread is signalled."""

REPLY_DELAY = float(os.environ.get("CORODASH_TEST_REPLY_DELAY") or 0)
"""Seconds every answer waits before it is sent: for tests of the controller's ordering."""


class AgentCommands:
    gate: Gate
    driver: Driver
    inspector: Inspector
    registry: Registry
    channel: Channel
    main_thread: int
    stop_signal: StopSignal
    lines: LineBreaks
    _interrupts: int

    def handle(self, command: Command) -> None:
        try:
            data = self._dispatch(command)
        except DriveError as error:
            self.reply(command, False, {}, str(error))
        except Exception as error:
            self.reply(command, False, {}, f"{type(error).__name__}: {error}")
        else:
            if data is not None:
                self.reply(command, True, data)

    def reply(self, command: Command, ok: bool, data: dict[str, Any], error: str = "") -> None:
        if REPLY_DELAY:
            time.sleep(REPLY_DELAY)  # tests: a slow answer must not lose the stop after it
        self.channel.send((REPLY, command.id, ok, data, error))

    def _dispatch(self, command: Command) -> dict[str, Any] | None:
        name, args = command.name, command.args
        gate = self.gate
        if name in ("step", "continue") and gate.idle_now:
            raise DriveError("the program's top level has finished: there is nothing to step")
        # The answer goes out before the main thread is woken: the controller then waits
        # for a stop numbered after it.
        if name == "step":
            count = int(args[0]) if args else 1
            self.reply(command, True, {})
            gate.step(count)
            return None
        if name == "continue":
            self.reply(command, True, {})
            gate.resume()
            return None
        if name == "until":  # run to the task's next event
            task = self._task(args)
            gate.breaks.add("task", task=task.tid, once=True)
            self.reply(command, True, {})
            gate.resume()
            return None
        if name in BREAK_COMMANDS:
            return self._breakpoints(name, args)
        if name == "hub":
            gate.follow_hub = bool(args[0]) if args else not gate.follow_hub
            return {"hub": gate.follow_hub}
        if name == "pause":
            self._pause()
            return {}
        if name == "stop":
            status = {"status": "stopped", "exit_code": None, "error": None, "traceback": ""}
            self.finish(status, exit_handlers=False)
        if name in ("tasks", "where", "expand"):
            if not gate.stopped:
                return self._inspect(name, args)
            # Stopped: answer from the main thread, which alone knows its current greenlet.
            gate.submit(lambda: self._answer_inspect(command), False)
            return None
        if name in DRIVE_COMMANDS:
            self._drive(command)
            return None
        raise DriveError(f"unknown command {name!r}")

    def _breakpoints(self, name: str, args: list[Any]) -> dict[str, Any]:
        """``break KIND [TASK | FILE LINE]``, ``breaks``, ``clear N``, ``toggle N``."""
        breaks = self.gate.breaks
        try:
            if name == "break":
                kind = str(args[0]) if args else ""
                if kind in ("task", "yield", "switch"):
                    breaks.add(kind, task=self._task(args[1:]).tid)
                elif kind == "line":
                    self.lines.add(breaks.add("line", file=str(args[1]), line=int(args[2])))
                else:
                    breaks.add(kind)
            elif name in ("clear", "toggle"):
                found = (
                    breaks.remove(int(args[0])) if name == "clear" else breaks.toggle(int(args[0]))
                )
                if found.kind == "line":
                    self.lines.update(breaks)
        except (KeyError, ValueError, IndexError) as error:
            raise DriveError(str(error.args[0]) if error.args else "which breakpoint?") from None
        gate = self.gate
        if not gate.stopped and (not gate.hold or gate.only_breaks):  # continued: look now
            gate.only_breaks = gate.hold = breaks.on_events
        return {"breaks": breaks.listing()}

    def _task(self, args: list[Any]) -> Task:
        if not args:
            raise DriveError("which task? give its id")
        task = self.registry.tasks.get(int(args[0]))
        if task is None:
            raise DriveError(f"no task with id {args[0]}")
        return task

    def _drive(self, command: Command) -> None:
        if not self.gate.can_drive:
            if self.gate.stopped:
                raise DriveError(
                    "the program is stopped inside a traced event, where user "
                    "code cannot run: step or continue first"
                )
            raise DriveError("the program is running: pause it first")
        task = self._task(command.args)

        def job() -> None:
            try:
                answer = self.driver.run(command.name, task, command.args[1:])
            except DriveError as error:
                self.reply(command, False, {}, str(error))
            except Exception as error:  # corodash's own failure: say so, keep serving
                self.reply(command, False, {}, f"{type(error).__name__}: {error}")
            else:
                self.reply(command, True, answer)

        self.gate.submit(job)

    def _answer_inspect(self, command: Command) -> None:
        """On the main thread, at its stop: no failure of corodash's may reach the program."""
        try:
            data = self._inspect(command.name, command.args, True)
        except (DriveError, KeyError) as error:
            self.reply(command, False, {}, str(error.args[0]) if error.args else "")
        except Exception as error:
            self.reply(command, False, {}, f"{type(error).__name__}: {error}")
        else:
            self.reply(command, True, data)

    def _inspect(self, name: str, args: list[Any], stopped: bool = False) -> dict[str, Any]:
        """``where TASK [FRAME]``, ``expand TASK FRAME NAME [PART...]``, or ``tasks``
        (with a scan of the globals when stopped)."""
        if name == "tasks":
            if stopped:  # tasks made and not started yet: in the globals, or a frame's locals
                discover(self.registry, self.inspector.reachable_values())
            return {"tasks": self.inspector.tasks()}
        task = self._task(args)
        at = int(args[1]) if len(args) > 1 and args[1] is not None else None
        if name == "where":
            return self.inspector.where(task, at)
        return self.inspector.expand(task, at, [str(token) for token in args[2:]])

    # -- pausing -------------------------------------------------------------------------

    def _pause(self) -> None:
        """Pause at the next event, or interrupt the main thread if none comes soon."""
        if self.gate.request_pause():
            self._interrupt_soon()

    def _break_on_block(self, batch: Batch) -> None:
        """On the channel's thread: a batch that holds a block, with a block breakpoint
        set, pauses the program (just after the blocking stretch, in the task after it)."""
        wanted = self.gate.breaks.enabled("block")
        if wanted and BLOCK in batch.kinds() and self.gate.request_pause():
            self.gate.hit = self.gate.breaks.count(wanted[0])
            self._interrupt_soon()

    def _interrupt_soon(self) -> None:
        """Signal the main thread if the stop asked for has not been reached shortly: it
        may loop without events, or wait in a blocking call (a signal interrupts that)."""
        self._interrupts += 1
        start_new_thread(self._interrupt_later, (self._interrupts,))

    def _interrupt_later(self, request: int) -> None:
        time.sleep(INTERRUPT_GRACE)
        gate = self.gate
        if request != self._interrupts:
            return
        if (gate.stop_pending and gate.main_busy) or gate.interrupt():
            pthread_kill(self.main_thread, self.stop_signal.number)

    def _stop_signal(self, signum: int, frame: Any) -> None:
        if speedups is not None and speedups.in_callback():
            # Inside a tracer callback nothing can be driven: the callback's guard raises
            # the signal again on its way out.
            if self.gate.stop_pending:
                speedups.want_safe_stop()
            return
        self.gate.safe_point(frame)
