"""Starting an agent process. Cheap to import on purpose (no ``dataclasses``, no ``json``):
a command starts the agent first and loads the rest of the controller while the agent
boots, so that the two start-ups overlap instead of adding up."""

from __future__ import annotations

import contextlib
import marshal
import os
import sys

from corodash.agent_process import AgentProcess

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

AGENT_BOOT = "from corodash.agent.boot import agent; agent().run()"
"""Run with ``-c``, not ``-m``: ``runpy`` is not imported, and with ``-P`` nothing is put
in front of ``sys.path`` before the program's own directory (program_start.py). The agent
runs from the ``-c`` code itself: one frame fewer under every frame of the program."""


class RunOptions:
    """What to run and how: everything a command's options say about one run."""

    def __init__(
        self,
        script: str,
        argv: list[str] | None = None,
        patch: str = "auto",
        step: bool = False,
        stay: bool = False,
        include_libraries: bool = False,
        block_threshold: float = 0.1,
        record_locals: bool = False,
        module: str | None = None,
        attached: int | None = None,
        python: str = sys.executable,
        env: dict[str, str] | None = None,
    ) -> None:
        self.script = script
        self.argv = [] if argv is None else argv
        self.patch = patch
        self.step = step
        self.stay = stay
        self.include_libraries = include_libraries
        self.block_threshold = block_threshold
        self.record_locals = record_locals
        self.module = module
        """``-m MODULE``: run as ``python -m`` does (``script`` is then the module's file)."""
        self.attached = attached
        """The pid of a running process attached to (``corodash attach``): nothing is
        started."""
        self.python = python
        self.env = {} if env is None else env

    def replace(self, **changes: Any) -> RunOptions:
        """A copy with ``changes``."""
        return RunOptions(**{**vars(self), **changes})

    def __repr__(self) -> str:
        return f"RunOptions({vars(self)!r})"

    @property
    def shown_name(self) -> str:
        """The program as the status line names it."""
        if self.attached is not None:
            return f"attached to {self.attached}"
        return f"-m {self.module}" if self.module else os.path.basename(self.script)


class Launched:
    """A started agent and the controller's ends of its two pipes."""

    def __init__(self, process: AgentProcess, events_fd: int, commands_fd: int) -> None:
        self.process = process
        self.events_fd = events_fd
        self.commands_fd = commands_fd

    def kill(self) -> None:
        """For a launch nobody will read: the agent and what it started go."""
        import signal

        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        for fd in (self.events_fd, self.commands_fd):
            os.close(fd)


def launch(options: RunOptions) -> Launched:
    events_read, events_write = os.pipe()
    commands_read, commands_write = os.pipe()
    config = _config(options, events_write, commands_read)
    process = _start(
        [options.python, "-P", "-c", AGENT_BOOT, marshal.dumps(config).hex()],
        (events_write, commands_read),
        options.stay,
        options.env,
    )
    return Launched(process, events_read, commands_write)


class EarlyAgent:
    """An agent started before the command line is even parsed: it imports what it needs
    (most of its start-up) while the controller parses its options and checks the script,
    then waits for its config. Given none (the command failed, or needed no agent), it
    reads the end of its pipe and exits."""

    def __init__(self, stay: bool) -> None:
        self.stay = stay
        self.events_read, events_write = os.pipe()
        commands_read, self.commands_write = os.pipe()
        config_read, self._config_write = os.pipe()
        self.fds = (events_write, commands_read)
        """The agent's ends of its pipes, by their numbers in the agent."""
        self._ours = True
        """The controller's ends are still this object's to close (not handed over)."""
        self.process = _start(
            [sys.executable, "-P", "-c", AGENT_BOOT, f"fd:{config_read}"],
            (events_write, commands_read, config_read),
            stay,
            {},
        )

    def take(self, options: RunOptions) -> Launched:
        """The agent, told to run ``options`` (another interpreter, environment or stdin
        than it was started with: a new agent, and this one ends)."""
        if options.python != sys.executable or options.env or options.stay != self.stay:
            self.abandon()
            return launch(options)
        self._ours = False
        config = marshal.dumps(_config(options, *self.fds))
        with os.fdopen(self._config_write, "wb") as pipe:
            pipe.write(config)
        return Launched(self.process, self.events_read, self.commands_write)

    def abandon(self) -> None:
        """Not needed after all: it reads the end of its config and exits. Once the agent
        is taken, its descriptors are the run's (their numbers may be reused by then)."""
        if not self._ours:
            return
        self._ours = False
        for fd in (self._config_write, self.events_read, self.commands_write):
            os.close(fd)


def _config(options: RunOptions, events_fd: int, commands_fd: int) -> dict[str, Any]:
    return {
        "script": options.script,
        "argv": options.argv,
        "events_fd": events_fd,
        "commands_fd": commands_fd,
        "patch": options.patch,
        "step": options.step,
        "stay": options.stay,
        "include_libraries": options.include_libraries,
        "block_threshold": options.block_threshold,
        "record_locals": options.record_locals,
        "module": options.module,
        "controller": os.getpid(),
    }


def _start(
    argv: list[str],
    fds: tuple[int, ...],
    stay: bool,
    env: dict[str, str],
) -> AgentProcess:
    """The agent process, given ``fds`` (the controller's copies are closed then)."""
    try:
        # repl and dashboard: the program reads what the user types there (send_input)
        return AgentProcess(argv, fds, stay, {**os.environ, **env, "PYTHONUNBUFFERED": "1"})
    finally:
        for fd in fds:
            os.close(fd)
