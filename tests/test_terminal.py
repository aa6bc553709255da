"""The real ``corodash`` command in a pseudo-terminal: keys in, screen out (pyte)."""

from __future__ import annotations

import contextlib
import os
import pty
import select
import signal
import sys
import time
from pathlib import Path

import pyte
from conftest import program

COLUMNS, LINES = 110, 32


class Terminal:
    """A child process on a pty, its output fed to a pyte screen."""

    def __init__(self, *args: str) -> None:
        self.screen = pyte.Screen(COLUMNS, LINES)
        self.stream = pyte.ByteStream(self.screen)
        corodash = Path(sys.executable).with_name("corodash")
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(COLUMNS), "LINES": str(LINES)}
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execve(str(corodash), [str(corodash), *args], env)
        os.set_blocking(self.fd, False)

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def read(self, seconds: float = 0.05) -> None:
        ready, _, _ = select.select([self.fd], [], [], seconds)
        if ready:
            with contextlib.suppress(OSError):
                self.stream.feed(os.read(self.fd, 1 << 16))

    def wait_for(self, text: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.read()
            if text in self.text():
                return self.text()
        raise AssertionError(f"{text!r} never appeared on screen:\n{self.text()}")

    def press(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def close(self) -> int:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            self.read()
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
        os.kill(self.pid, signal.SIGKILL)
        raise AssertionError("corodash did not quit")


def test_real_command_steps_drives_and_quits():
    term = Terminal(program("accumulator"))
    try:
        # Paused before the first event; this program's top level only creates a
        # generator, so there is none and it runs to its end.
        screen = term.wait_for("top level finished")
        assert "accumulator" in screen
        term.press("n")
        term.wait_for("acc: yielded 0")
        term.press("s")
        term.wait_for("send() into acc")
        term.press("7\r")
        term.wait_for("acc: yielded 7")
        term.press("q")
        assert term.close() == 0
    finally:
        if term.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(term.pid, signal.SIGKILL)


def test_real_command_help_does_not_need_a_terminal():
    done = os.popen(f"{Path(sys.executable).with_name('corodash')} --help").read()
    for word in ("trace", "repl", "--patch", "--run"):
        assert word in done
