"""The agent's answers to the controller's commands, on the command thread: step, continue,
pause, hub, stop, tasks, where, and the drive commands (run on the main thread at its pause
point). A mixin of Agent, whose gate, driver and inspector it uses.
"""

from __future__ import annotations

import os
import signal
import time
from _thread import start_new_thread
from typing import Any

from corodash.agent.accelerator import speedups
from corodash.agent.channel import Channel
from corodash.agent.drive import DRIVE_COMMANDS, DriveError, Driver
from corodash.agent.gate import Gate
from corodash.agent.inspection import Inspector
from corodash.agent.registry import Registry, Task
from corodash.agent.stop_signal import StopSignal
from corodash.protocol import REPLY, Command

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
        if name == "hub":
            gate.follow_hub = bool(args[0]) if args else not gate.follow_hub
            return {"hub": gate.follow_hub}
        if name == "pause":
            self._pause()
            return {}
        if name == "stop":
            status = {"status": "stopped", "exit_code": None, "error": None, "traceback": ""}
            self.finish(status, exit_handlers=False)
        if name in ("tasks", "where"):
            task = self._task(args) if name == "where" else None
            if not gate.stopped:
                return self._inspect(task)
            # Stopped: answer from the main thread, which alone knows its current greenlet.
            gate.submit(lambda: self.reply(command, True, self._inspect(task, True)), False)
            return None
        if name in DRIVE_COMMANDS:
            self._drive(command)
            return None
        raise DriveError(f"unknown command {name!r}")

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

    def _inspect(self, task: Task | None, stopped: bool = False) -> dict[str, Any]:
        """``where`` for a task, or ``tasks`` (with a scan of the globals when stopped)."""
        if task is not None:
            return self.inspector.where(task)
        if stopped:
            self.registry.discover(list(self.inspector.namespace.values()))
        return {"tasks": self.inspector.tasks()}

    # -- pausing -------------------------------------------------------------------------

    def _pause(self) -> None:
        """Pause at the next event, or interrupt the main thread if none comes soon."""
        if self.gate.request_pause():
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
            signal.pthread_kill(self.main_thread, self.stop_signal.number)

    def _stop_signal(self, signum: int, frame: Any) -> None:
        if speedups is not None and speedups.in_callback():
            # Inside a tracer callback nothing can be driven: the callback's guard raises
            # the signal again on its way out.
            if self.gate.stop_pending:
                speedups.want_safe_stop()
            return
        self.gate.safe_point(frame)
