"""The user's stdout and stderr at Python level, captured and tagged with the writing task.

Each complete line, and each carriage-return update of a progress line, becomes an OUTPUT
event: ``(OUTPUT, t, task, stream, text, end)``, where ``end`` is the ``"\\n"`` or ``"\\r"``
that closed it, so the events hold the exact text written. Bytes that are not UTF-8 travel
as bytes. A forked child writes straight to its descriptors instead (see forking.py).
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable

from corodash.protocol import OUTPUT

Emit = Callable[[tuple], None]


class LineSplitter:
    """Cuts a stream into segments closed by ``\\n`` or ``\\r`` (``\\r\\n`` counts as
    ``\\n``), keeping the open one as pieces: a long line written in small pieces costs
    linear time."""

    def __init__(self) -> None:
        self.pieces: list[str] = []

    def feed(self, text: str) -> list[tuple[str, str]]:
        """The segments ``text`` closes, as (text, end)."""
        if "\n" not in text and "\r" not in text:
            self.pieces.append(text)
            return []
        closed = []
        start = 0
        length = len(text)
        while True:
            newline = text.find("\n", start)
            ret = text.find("\r", start)
            if newline < 0 and ret < 0:
                break
            if ret < 0 or 0 <= newline < ret:
                cut, end, after = newline, "\n", newline + 1
            elif ret + 1 < length and text[ret + 1] == "\n":
                cut, end, after = ret, "\n", ret + 2
            else:
                cut, end, after = ret, "\r", ret + 1
            self.pieces.append(text[start:cut])
            closed.append(("".join(self.pieces), end))
            self.pieces = []
            start = after
        if start < length:
            self.pieces.append(text[start:])
        return closed

    def rest(self) -> str:
        """The open segment, taken."""
        text = "".join(self.pieces)
        self.pieces = []
        return text


def exact(text: str) -> str | bytes:
    """``text`` as sent: bytes if it holds undecodable bytes (surrogate escapes)."""
    if text.isascii():
        return text
    try:
        text.encode()
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape")
    return text


class TaskOutput(io.TextIOBase):
    """A text stream that turns lines into OUTPUT events, tagged with the task running when
    each line began. Before it records a line it asks ``before_line`` to take in what
    reached the descriptors first (a child's or C code's output), so the events keep the
    order in which output was written."""

    def __init__(
        self,
        stream: str,
        emit: Emit,
        clock: Callable[[], float],
        current_task: Callable[[], int],
        fd: int,
        before_line: Callable[[], None],
    ) -> None:
        super().__init__()
        self.stream = stream
        self._emit = emit
        self._clock = clock
        self._current_task = current_task
        self._fd = fd
        self._before_line = before_line
        self._lines = LineSplitter()
        self._task = 0
        self._direct = False
        self.buffer = _BytesToText(self)
        """What ``sys.stdout.buffer.write(b"...")`` writes to: captured the same way."""

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    @property
    def errors(self) -> str:  # type: ignore[override]
        return "surrogateescape"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        return self._fd

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if not text:
            return 0
        if self._direct:
            _write_all(self._fd, text.encode("utf-8", "surrogateescape"))
            return len(text)
        lines = self._lines
        if not lines.pieces:
            self._task = self._current_task()
        closed = lines.feed(text)
        if closed:
            self._before_line()
            emit, now, stream = self._emit, self._clock(), self.stream
            task = self._task
            for segment, end in closed:
                emit((OUTPUT, now, task, stream, exact(segment), end))
                task = self._current_task()
            self._task = task
        return len(text)

    def flush(self) -> None:
        """Emit the open segment as it is, with an empty end (a prompt before ``input()``,
        a line the program flushed to show it): its rest continues it."""
        if self._direct:
            return
        rest = self._lines.rest()
        if rest:
            self._before_line()
            self._emit((OUTPUT, self._clock(), self._task, self.stream, exact(rest), ""))

    def write_directly(self) -> None:
        """From now on write to the descriptor itself (a forked child: it has no channel)."""
        rest = self._lines.rest()
        self._direct = True
        if rest:
            self.write(rest)


class _BytesToText(io.RawIOBase):
    """The binary face of a captured stream: bytes that are not UTF-8 are kept exactly."""

    def __init__(self, text: TaskOutput) -> None:
        super().__init__()
        self._text = text

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self._text.write(bytes(data).decode("utf-8", "surrogateescape"))
        return len(data)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def capture(
    emit: Emit,
    clock: Callable[[], float],
    current_task: Callable[[], int],
    before_line: Callable[[], None],
) -> tuple[TaskOutput, TaskOutput]:
    """Replace sys.stdout and sys.stderr; writes below Python reach the descriptors, which
    the agent reads too (fd_capture.py)."""
    out = TaskOutput("stdout", emit, clock, current_task, 1, before_line)
    err = TaskOutput("stderr", emit, clock, current_task, 2, before_line)
    sys.stdout, sys.stderr = out, err
    return out, err
