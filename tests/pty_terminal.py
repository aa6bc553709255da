"""A child process on a pseudo-terminal, its screen read with pyte (tests and benchmarks)."""

from __future__ import annotations

import contextlib
import os
import pty
import select
import signal
import time

import pyte


class Terminal:
    """Runs ``argv`` on a pty of the given size; ``text()`` is what a person would see."""

    def __init__(
        self,
        argv: list[str],
        columns: int = 110,
        lines: int = 32,
        blocked: frozenset[int] = frozenset(),
        cwd: str | None = None,
    ) -> None:
        """``blocked``: signals the child starts with blocked (they never reach it)."""
        self.screen = pyte.Screen(columns, lines)
        self.stream = pyte.ByteStream(self.screen)
        self.arrived = b""
        self._unparsed: list[bytes] = []
        """Bytes read but not yet given to the screen model: parsing a frame takes pyte
        milliseconds, which would delay stamping the bytes after it."""
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(columns), "LINES": str(lines)}
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            signal.pthread_sigmask(signal.SIG_BLOCK, blocked)
            if cwd is not None:
                os.chdir(cwd)
            os.execve(argv[0], argv, env)
        os.set_blocking(self.fd, False)

    def _keep(self, data: bytes) -> None:
        """Bytes read: kept, and parsed only when the screen is asked for."""
        self.arrived += data
        self._unparsed.append(data)

    def text(self) -> str:
        if self._unparsed:
            self.stream.feed(b"".join(self._unparsed))
            self._unparsed.clear()
        return "\n".join(self.screen.display)

    def read(self, seconds: float = 0.05) -> int:
        """Feed whatever arrives within ``seconds`` to the screen; the number of bytes."""
        ready, _, _ = select.select([self.fd], [], [], seconds)
        if not ready:
            return 0
        try:
            data = os.read(self.fd, 1 << 20)
        except OSError:
            return 0
        self._keep(data)
        return len(data)

    def next_arrival(self, timeout: float = 1.0) -> float | None:
        """When the next bytes reached the terminal (stamped before the screen model parses
        them, which takes pyte milliseconds), or None if none came within ``timeout``."""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return None
        try:
            data = os.read(self.fd, 1 << 20)
        except OSError:
            return None
        arrived = time.perf_counter()
        self._keep(data)
        return arrived

    def wait_for_bytes(self, text: bytes, timeout: float = 20) -> float:
        """When ``text`` first reached the terminal (before the screen model parses it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if ready:
                try:
                    data = os.read(self.fd, 1 << 20)
                except OSError:
                    continue
                arrived = time.perf_counter()
                self._keep(data)
                if text in self.arrived:
                    return arrived
        raise AssertionError(f"{text!r} never reached the terminal")

    def wait_for_screen(self, text: str, timeout: float = 20) -> float:
        """When the bytes that put ``text`` on screen reached the terminal."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            arrived = self.next_arrival(0.05)
            if arrived is not None and text in self.text():
                return arrived
        raise AssertionError(f"{text!r} never appeared on screen:\n{self.text()}")

    def wait_for(self, text: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.read()
            if text in self.text():
                return self.text()
        raise AssertionError(f"{text!r} never appeared on screen:\n{self.text()}")

    def wait_gone(self, text: str, timeout: float = 20) -> str:
        """Wait until ``text`` is no longer on screen (a dialog closed)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.read()
            if text not in self.text():
                return self.text()
        raise AssertionError(f"{text!r} stayed on screen:\n{self.text()}")

    def read_for(self, seconds: float) -> None:
        """Keep reading for ``seconds``, as a terminal does: a child whose output is not read
        blocks once the pty's buffer is full, and then has frames queued behind it."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self.read(left)

    def drain(self, quiet: float = 0.1) -> None:
        """Read until nothing has arrived for ``quiet`` seconds."""
        while self.read(quiet):
            pass

    def press(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def close(self, timeout: float = 10) -> int:
        """Wait for the child to exit (killing it after ``timeout``); its exit status."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.read()
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                # What it wrote between the last read and its exit is still in the pty.
                while self.read(0):
                    pass
                return os.waitstatus_to_exitcode(status)
        self.kill()
        raise AssertionError("the program did not exit")

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
