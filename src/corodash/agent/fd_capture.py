"""What reaches the program's file descriptors 1 and 2 below Python: C code, ``os.write``,
child processes, forked children.

Descriptors 1 and 2 become pipes that the agent reads on real threads and turns into OUTPUT
events on the same channel as everything else, so output keeps the order in which it was
written: before a Python-level line is recorded, ``drain`` takes in whatever the pipes
already hold. The descriptors the controller reads are kept for fatal messages
(faulthandler), which must survive the agent.

A forked child gets pipes of its own (see forking.py); it announces its pid on them first, and
its output is tagged with it.
"""

from __future__ import annotations

import os
from _thread import RLock, start_new_thread
from select import POLLIN, poll, select

from corodash.agent.output import LineSplitter, exact
from corodash.protocol import OUTPUT

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

READ_SIZE = 1 << 16


class _Pipe:
    """One pipe's read end, the stream it stands for and its open line."""

    def __init__(self, fd: int, stream: str, pid: int | None, announced: bool) -> None:
        self.fd = fd
        self.stream = stream
        self.pid = pid
        self.announced = announced
        """Whether the pid is known; a forked child's pipe starts with it."""
        self.pending = b""
        self.lines = LineSplitter()


class FdCapture:
    def __init__(self, emit: Callable[[tuple], None], clock: Callable[[], float]) -> None:
        self._emit = emit
        self._clock = clock
        self._lock = RLock()  # a stop may come while the main thread drains; drives drain too
        self._pipes: dict[int, _Pipe] = {}
        self._ready = poll()
        """Every pipe, asked at once whether any holds bytes (a print costs one call)."""
        self.real: dict[int, int] = {}
        """The controller's descriptors for 1 and 2, duplicated before the redirection."""

    def start(self) -> None:
        for fd, stream in ((1, "stdout"), (2, "stderr")):
            self.real[fd] = os.dup(fd)
            read, write = os.pipe()
            os.dup2(write, fd)
            os.close(write)
            self.watch(read, stream, None)

    def watch(self, fd: int, stream: str, pid: int | None, announced: bool = True) -> None:
        """Read ``fd`` on a thread of its own until its last writer closes it."""
        os.set_blocking(fd, False)
        with self._lock:
            self._pipes[fd] = _Pipe(fd, stream, pid, announced)
            self._ready.register(fd, POLLIN)
        start_new_thread(self._read_loop, (fd,))

    def drain(self) -> None:
        """Take in everything the pipes hold now (before a Python-level line is recorded)."""
        with self._lock:
            for fd, _ in self._ready.poll(0):
                pipe = self._pipes.get(fd)
                if pipe is not None and not self._read_available(pipe):
                    self._close(fd)

    def finish(self) -> None:
        """At the end: take in what is left and close the open lines."""
        with self._lock:
            for pipe in list(self._pipes.values()):
                self._read_available(pipe)
                self._close_line(pipe)

    def _read_loop(self, fd: int) -> None:
        while True:
            try:
                select([fd], [], [])
            except (OSError, ValueError):
                return
            with self._lock:
                pipe = self._pipes.get(fd)
                if pipe is None or not self._read_available(pipe):
                    self._close(fd)
                    return

    def _read_available(self, pipe: _Pipe) -> bool:
        """Read until the pipe is empty; False once every writer has closed it."""
        while True:
            try:
                data = os.read(pipe.fd, READ_SIZE)
            except BlockingIOError:
                return True
            except OSError:
                return False
            if not data:
                self._close_line(pipe)
                return False
            self._take(pipe, data)

    def _take(self, pipe: _Pipe, data: bytes) -> None:
        if not pipe.announced:
            data = pipe.pending + data
            line, found, data = data.partition(b"\n")
            if not found:
                pipe.pending = line
                return
            pipe.pid, pipe.announced, pipe.pending = int(line), True, b""
        if pipe.pending:
            data, pipe.pending = pipe.pending + data, b""
        keep = _cut_character(data)
        if keep:  # a UTF-8 character split between two reads: its start waits for the rest
            data, pipe.pending = data[:-keep], data[-keep:]
        closed = pipe.lines.feed(data.decode("utf-8", "surrogateescape"))
        if closed:
            self._send(pipe, closed)

    def _close_line(self, pipe: _Pipe) -> None:
        """Send the open line as it is (its end is empty: no newline came)."""
        rest = pipe.lines.rest()
        if rest:
            self._send(pipe, [(rest, "")])

    def _send(self, pipe: _Pipe, closed: list[tuple[str, str]]) -> None:
        now, emit = self._clock(), self._emit
        for segment, end in closed:
            emit((OUTPUT, now, None, pipe.stream, exact(segment), end, pipe.pid))

    def _close(self, fd: int) -> None:
        if self._pipes.pop(fd, None) is not None:
            self._ready.unregister(fd)
            os.close(fd)


def _cut_character(data: bytes) -> int:
    """How many bytes at the end of ``data`` start a UTF-8 character not yet complete."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte & 0xC0 != 0x80:  # a lead byte (or ASCII)
            needed = 2 if byte >> 5 == 0b110 else 3 if byte >> 4 == 0b1110 else 4
            return back if byte >= 0xC0 and needed > back else 0
    return 0
