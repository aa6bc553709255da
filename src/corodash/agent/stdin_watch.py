"""The program's stdin under repl and dashboard, where the user types its lines.

Reading blocks the program until the user answers; the controller must know, or it would
wait for a stop that never comes. Before a read that would block, the agent says so: a
``running`` state with ``reading`` set.
"""

from __future__ import annotations

import io
from select import select

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


class AnnouncedStdin(io.TextIOBase):
    """Wraps ``sys.stdin``: the same reads, announced when no line is waiting."""

    def __init__(self, stream: Any, announce: Callable[[], None]) -> None:
        super().__init__()
        self._stream = stream
        self._announce = announce

    def _before_read(self) -> None:
        try:
            ready, _, _ = select([self._stream.fileno()], [], [], 0)
        except (OSError, ValueError):
            return
        if not ready:
            self._announce()

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        self._before_read()
        return self._stream.readline(-1 if size is None else size)

    def read(self, size: int | None = -1) -> str:
        self._before_read()
        return self._stream.read(-1 if size is None else size)

    def __iter__(self) -> Any:
        return iter(self.readline, "")

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._stream.fileno()

    def isatty(self) -> bool:
        return False

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._stream.encoding

    @property
    def buffer(self) -> Any:
        return self._stream.buffer
