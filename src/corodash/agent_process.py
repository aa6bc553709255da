"""The agent's process, started with ``os.posix_spawnp``.

``trace`` starts its agent before anything else, so that the agent's start-up and the
controller's overlap; ``import subprocess`` alone took 20 ms there (locale, re, enum), a
fifth of a short trace. This is the part of ``subprocess.Popen`` the controller uses: pipes
for the agent's output (and input), the descriptors it is given and no others, a session
of its own, and waiting for its end.
"""

from __future__ import annotations

import os
import time
from _thread import allocate_lock  # a lock without importing threading

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import BinaryIO


class AgentProcess:
    """A started agent: ``pid``, its ``stdout`` and ``stderr`` (and ``stdin``) pipes,
    ``poll`` and ``wait`` as ``Popen`` has them."""

    def __init__(
        self, argv: list[str], pass_fds: tuple[int, ...], stdin_pipe: bool, env: dict[str, str]
    ) -> None:
        """``pass_fds``: descriptors the agent gets under the same numbers (the caller closes
        its copies). Its stdin is a pipe when ``stdin_pipe``, else the controller's."""
        out_read, out_write = os.pipe()
        err_read, err_write = os.pipe()
        child_ends = [out_write, err_write]
        actions = [(os.POSIX_SPAWN_DUP2, out_write, 1), (os.POSIX_SPAWN_DUP2, err_write, 2)]
        in_write = None
        if stdin_pipe:
            in_read, in_write = os.pipe()
            child_ends.append(in_read)
            actions.append((os.POSIX_SPAWN_DUP2, in_read, 0))
        actions += [(os.POSIX_SPAWN_CLOSE, fd) for fd in _inherited(pass_fds)]
        try:
            for fd in pass_fds:
                os.set_inheritable(fd, True)
            self.pid = os.posix_spawnp(argv[0], argv, env, file_actions=actions, setsid=True)
        except BaseException:
            for fd in (out_read, err_read, in_write):
                if fd is not None:
                    os.close(fd)
            raise
        finally:
            for fd in child_ends:
                os.close(fd)
        self.stdout: BinaryIO = open(out_read, "rb")  # noqa: SIM115 (the readers close them)
        self.stderr: BinaryIO = open(err_read, "rb")  # noqa: SIM115
        self.stdin: BinaryIO | None = open(in_write, "wb") if in_write is not None else None  # noqa: SIM115
        self.returncode: int | None = None
        """Its exit code once reaped; minus the signal's number when a signal ended it."""
        self._reaping = allocate_lock()

    def poll(self) -> int | None:
        """The exit code if the agent has ended, else None (also while ``wait`` waits)."""
        if self.returncode is None and self._reaping.acquire(blocking=False):
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
                if pid:
                    self.returncode = os.waitstatus_to_exitcode(status)
            finally:
                self._reaping.release()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """The exit code, once the agent has ended; TimeoutError after ``timeout`` seconds."""
        if timeout is None:
            with self._reaping:
                if self.returncode is None:
                    _, status = os.waitpid(self.pid, 0)
                    self.returncode = os.waitstatus_to_exitcode(status)
            return self.returncode
        deadline = time.monotonic() + timeout
        pause = 0.0005
        while (code := self.poll()) is None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"agent {self.pid} still runs after {timeout} s")
            time.sleep(pause)
            pause = min(pause * 2, 0.05)
        return code


def _inherited(kept: tuple[int, ...]) -> list[int]:
    """Descriptors past stderr a child would inherit besides ``kept`` (what the controller
    itself inherited): Popen's ``close_fds`` closes them, and so does the agent's spawn."""
    try:
        names = os.listdir("/proc/self/fd")
    except OSError:  # not Linux: /dev/fd lists them elsewhere
        try:
            names = os.listdir("/dev/fd")
        except OSError:
            return []
    found = []
    for name in names:
        fd = int(name)
        if fd > 2 and fd not in kept:
            try:
                if os.get_inheritable(fd):
                    found.append(fd)
            except OSError:  # the listing's own descriptor, closed since
                pass
    return found
