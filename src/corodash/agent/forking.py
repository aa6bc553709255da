"""A process forked by the program is the program's, not a second agent.

``os.register_at_fork`` hooks give each child pipes of its own for descriptors 1 and 2, read
by the parent agent, which tags what comes out with the child's pid (the child writes its
pid first). In the child, tracing stops, the channel goes quiet (no events copied from the
parent's buffer, no commands, no ``end``) and the Python streams write straight to the
descriptors. ``os._exit`` is wrapped so that the agent records everything written before
it and ends the trace with the exit status; in a child it only flushes the streams.
"""

from __future__ import annotations

import atexit
import os
import sys

from corodash.agent.fd_capture import FdCapture
from corodash.agent.output import TaskOutput

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


class ForkWatch:
    def __init__(
        self,
        capture: FdCapture,
        streams: tuple[TaskOutput, ...],
        on_child: Callable[[], None],
        on_exit: Callable[[int], None],
    ) -> None:
        """``on_child`` runs in a new child (stop tracing, silence the channel);
        ``on_exit(code)`` runs when the agent process itself calls ``os._exit``."""
        self.capture = capture
        self.streams = streams
        self.on_child = on_child
        self.on_exit = on_exit
        self.agent_pid = os.getpid()
        self._pipes: list[tuple[int, int]] = []
        self._real_exit = os._exit
        self._quietened = False

    def install(self) -> None:
        os.register_at_fork(
            before=self._before, after_in_parent=self._in_parent, after_in_child=self._in_child
        )
        os._exit = self._exit

    @property
    def in_child(self) -> bool:
        return os.getpid() != self.agent_pid

    def _before(self) -> None:
        # Python 3.12 warns that fork() in a multi-threaded process may deadlock: the
        # threads are the agent's (which the child does not need), not the program's. Said
        # at the first fork, not at start: the filter's pattern would load ``re``.
        if not self._quietened:
            import warnings

            self._quietened = True
            warnings.filterwarnings(
                "ignore", r"This process .* is multi-threaded, use of fork", DeprecationWarning
            )
        if not self.in_child:
            self._pipes = [os.pipe(), os.pipe()]

    def _in_parent(self) -> None:
        if self.in_child or not self._pipes:
            return
        for (read, write), stream in zip(self._pipes, ("stdout", "stderr"), strict=True):
            os.close(write)
            self.capture.watch(read, stream, None, announced=False)
        self._pipes = []

    def _in_child(self) -> None:
        if not self._pipes:  # a grandchild: it writes where its parent does
            self._quiet_child()
            return
        for (read, write), fd in zip(self._pipes, (1, 2), strict=True):
            os.close(read)
            os.write(write, f"{os.getpid()}\n".encode())
            os.dup2(write, fd)
            os.close(write)
        self._pipes = []
        self._quiet_child()

    def _quiet_child(self) -> None:
        for stream in self.streams:
            stream.write_directly()
        self.on_child()

    def _exit(self, code: int) -> None:
        if self.in_child:
            for stream in self.streams:
                stream.write_directly()
        else:
            self.on_exit(code)
        self._real_exit(code)

    def leave_child(self, status: dict[str, Any]) -> None:
        """A child that reached the end of the program (its ``status``): its traceback and
        exit handlers, then its exit, as Python would; never the agent's end."""
        if status.get("traceback"):
            sys.stderr.write(status["traceback"])
        try:  # noqa: SIM105
            atexit._run_exitfuncs()
        except BaseException:  # the program's handlers: the exit goes on
            pass
        code = status.get("exit_code")
        self._exit(code if isinstance(code, int) else 1)
