"""Starting an agent process. Cheap to import on purpose (no ``dataclasses``, no ``json``):
a command starts the agent first and loads the rest of the controller while the agent
boots, so that the two start-ups overlap instead of adding up."""

from __future__ import annotations

import contextlib
import marshal
import os
import signal
import subprocess
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

AGENT_BOOT = "from corodash.agent.boot import main; main()"
"""Run with ``-c``, not ``-m``: ``runpy`` is not imported, and with ``-P`` nothing is put
in front of ``sys.path`` before the program's own directory (program_start.py)."""


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

    def __init__(self, process: subprocess.Popen[bytes], events_fd: int, commands_fd: int) -> None:
        self.process = process
        self.events_fd = events_fd
        self.commands_fd = commands_fd

    def kill(self) -> None:
        """For a launch nobody will read: the agent and what it started go."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        for fd in (self.events_fd, self.commands_fd):
            os.close(fd)


def launch(options: RunOptions) -> Launched:
    events_read, events_write = os.pipe()
    commands_read, commands_write = os.pipe()
    config = {
        "script": options.script,
        "argv": options.argv,
        "events_fd": events_write,
        "commands_fd": commands_read,
        "patch": options.patch,
        "step": options.step,
        "stay": options.stay,
        "include_libraries": options.include_libraries,
        "block_threshold": options.block_threshold,
        "record_locals": options.record_locals,
        "module": options.module,
        "controller": os.getpid(),
    }
    env = {**os.environ, **options.env, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [options.python, "-P", "-c", AGENT_BOOT, marshal.dumps(config).hex()],
        pass_fds=(events_write, commands_read),
        # repl and dashboard: the program reads what the user types there (send_input)
        stdin=subprocess.PIPE if options.stay else None,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    os.close(events_write)
    os.close(commands_read)
    return Launched(process, events_read, commands_write)
