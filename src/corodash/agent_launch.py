"""Starting an agent process. Cheap to import on purpose: a command starts the agent first
and loads the rest of the controller while the agent boots, so that the two start-ups
overlap (each takes about a tenth of a second) instead of adding up."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field


@dataclass
class RunOptions:
    script: str
    argv: list[str] = field(default_factory=list)
    patch: str = "auto"
    step: bool = False
    stay: bool = False
    include_libraries: bool = False
    block_threshold: float = 0.1
    record_locals: bool = False
    module: str | None = None
    """``-m MODULE``: run as ``python -m`` does (``script`` is then the module's file)."""

    attached: int | None = None
    """The pid of a running process attached to (``corodash attach``): nothing is started."""

    @property
    def shown_name(self) -> str:
        """The program as the status line names it."""
        if self.attached is not None:
            return f"attached to {self.attached}"
        return f"-m {self.module}" if self.module else os.path.basename(self.script)

    python: str = sys.executable
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class Launched:
    """A started agent and the controller's ends of its two pipes."""

    process: subprocess.Popen[bytes]
    events_fd: int
    commands_fd: int

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
        [options.python, "-m", "corodash.agent", json.dumps(config)],
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
