"""The user's stdout and stderr, captured line by line and tagged with the writing task."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable

from corodash.protocol import OUTPUT


class TaskOutput(io.TextIOBase):
    """A text stream that turns each complete line into an OUTPUT event.

    The task is the one running when the line began; a partial line waits for its newline
    (or the end of the program).
    """

    def __init__(
        self,
        stream: str,
        emit: Callable[[tuple], None],
        clock: Callable[[], float],
        current_task: Callable[[], int],
        real_fd: int,
    ) -> None:
        super().__init__()
        self.stream = stream
        self._emit = emit
        self._clock = clock
        self._current_task = current_task
        self._real_fd = real_fd
        self._partial = ""
        self._partial_task = 0
        self.buffer = _BytesToText(self)
        """What ``sys.stdout.buffer.write(b"...")`` writes to: decoded, then captured."""

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        return self._real_fd

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if not text:
            return 0
        if not self._partial:
            self._partial_task = self._current_task()
        if "\n" not in text:
            self._partial += text
            return len(text)
        *lines, rest = (self._partial + text).split("\n")
        task = self._partial_task
        emit, now = self._emit, self._clock()
        for line in lines:
            emit((OUTPUT, now, task, self.stream, line))
            task = self._current_task()
        self._partial = rest
        self._partial_task = task
        return len(text)

    def finish(self) -> None:
        """Emit a last line that never got its newline."""
        if self._partial:
            self._emit((OUTPUT, self._clock(), self._partial_task, self.stream, self._partial))
            self._partial = ""


class _BytesToText(io.RawIOBase):
    """The binary face of a captured stream."""

    def __init__(self, text: TaskOutput) -> None:
        super().__init__()
        self._text = text

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self._text.write(bytes(data).decode("utf-8", "replace"))
        return len(data)


def capture(
    emit: Callable[[tuple], None], clock: Callable[[], float], current_task: Callable[[], int]
) -> tuple[TaskOutput, TaskOutput]:
    """Replace sys.stdout and sys.stderr; C-level writes still reach the real descriptors."""
    out = TaskOutput("stdout", emit, clock, current_task, 1)
    err = TaskOutput("stderr", emit, clock, current_task, 2)
    sys.stdout, sys.stderr = out, err
    return out, err
