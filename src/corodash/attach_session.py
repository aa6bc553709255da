"""The controller's side of an attachment to a listening process (``corodash.listen()``):
the same session as a traced script's, over the listener's socket instead of pipes to a
child. Nothing is started or killed: stopping means detaching, and the service goes on.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from corodash.agent_launch import RunOptions
from corodash.attach_paths import ListenError, socket_path
from corodash.protocol import HELLO, FrameReader
from corodash.session import AgentSession, Listener, end_event

REMOTE_EXEC = (3, 14)
"""From this Python on, a process that did not opt in can be asked to listen (PEP 768)."""
INJECT_WAIT = 5.0
PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent)
DETACH_GRACE = 5.0
"""Seconds a detach gets to flush the last events and restore the process's tracer."""
BUSY = "busy"


class AttachError(Exception):
    """Cannot attach; the message says why in one line."""


def resolve_target(target: str) -> str:
    """The socket of ``target``: a path, or a pid whose listener is in the user's folder."""
    if target.isdigit():
        pid = int(target)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            raise AttachError(f"no process {pid}") from None
        except PermissionError:
            raise AttachError(f"process {pid} belongs to another user") from None
        try:
            path = socket_path(pid)
        except ListenError as error:
            raise AttachError(str(error)) from None
        if _older_than_process(path, pid):  # left by an earlier process with this pid
            with contextlib.suppress(OSError):
                os.unlink(path)
        if not os.path.exists(path):
            if sys.version_info < REMOTE_EXEC:
                raise AttachError(
                    f"process {pid} is not listening: it must call corodash.listen() first"
                )
            inject_listener(pid, path)
        return path
    if not os.path.exists(target):
        raise AttachError(f"{target}: no such socket")
    return target


def _older_than_process(path: str, pid: int) -> bool:
    """Whether the socket at ``path`` was made before process ``pid`` started (Linux's
    /proc tells when): then it is another, gone process's, whose pid was reused."""
    try:
        return os.stat(path).st_mtime < os.stat(f"/proc/{pid}").st_mtime - 1
    except OSError:
        return False


def inject_listener(pid: int, path: str) -> None:
    """Python 3.14+ (PEP 768): have ``pid`` call ``corodash.listen()`` at its next safe
    point, through ``sys.remote_exec``; wait for its socket. The process must run 3.14+ and
    be able to import this corodash. (Untested where no 3.14 interpreter exists.)"""
    handle, script = tempfile.mkstemp(prefix="corodash-listen-", suffix=".py")
    with os.fdopen(handle, "w") as out:
        out.write(f"import sys\nsys.path.insert(0, {PACKAGE_ROOT!r})\n")
        out.write("import corodash\ncorodash.listen()\n")
    try:
        sys.remote_exec(pid, script)  # type: ignore[attr-defined]
        deadline = time.monotonic() + INJECT_WAIT
        while not os.path.exists(path):
            if time.monotonic() > deadline:
                raise AttachError(
                    f"process {pid} did not start listening within {INJECT_WAIT:g} s of "
                    "sys.remote_exec (does it run Python 3.14+, and can it import corodash?)"
                )
            time.sleep(0.05)
    except (OSError, RuntimeError, ValueError) as error:
        raise AttachError(f"process {pid}: sys.remote_exec failed: {error}") from None
    finally:
        time.sleep(0.1)  # the target reads the script at its safe point
        os.unlink(script)


def connect(path: str) -> tuple[socket.socket, dict[str, Any]]:
    """A connection to the listener at ``path`` and its hello, or AttachError."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
        hello = _first_message(sock)
    except ConnectionRefusedError:
        sock.close()
        raise AttachError(
            f"{path}: nobody listens there any more (a stale socket: its process has gone)"
        ) from None
    except PermissionError:
        sock.close()
        raise AttachError(f"{path}: permission denied (another user's listener?)") from None
    except OSError as error:
        sock.close()
        raise AttachError(f"{path}: {error.strerror or error}") from None
    if hello[0] == BUSY:
        sock.close()
        raise AttachError(str(hello[1]))
    return sock, hello[1]


def _first_message(sock: socket.socket) -> list[Any]:
    """The listener's first frame, read exactly (what follows is the session's)."""
    sock.settimeout(10)
    head = _exactly(sock, 4)
    message = next(FrameReader().feed(head + _exactly(sock, int.from_bytes(head, "big"))))
    sock.settimeout(None)
    if message[0] not in (HELLO, BUSY):
        raise OSError(f"not a corodash listener (it said {message[0]!r})")
    return message


def _exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionRefusedError
        data += chunk
    return data


class AttachedSession(AgentSession):
    """An attachment, after ``connect``: events, replies; ``stop`` detaches."""

    def __init__(
        self, sock: socket.socket, hello: dict[str, Any], target: str, listener: Listener
    ) -> None:
        super().__init__(RunOptions(target), listener)
        self.sock = sock
        self.pid = hello.get("pid")
        self._hello(hello)
        self._detaching = False

    def start(self) -> None:
        self._commands_fd = os.dup(self.sock.fileno())
        threading.Thread(
            target=self._read_events,
            args=(os.dup(self.sock.fileno()),),
            name="corodash-attached",
            daemon=True,
        ).start()

    def _dispatch(self, message: list[Any], listener: Listener) -> None:
        if message[0] == BUSY:  # the process cannot be traced: it says why, and closes
            self._protocol_error = str(message[1])
            return
        super()._dispatch(message, listener)

    def send_input(self, text: str) -> None:
        raise ConnectionError("an attached process reads its own stdin")

    def stop(self, reason: str = "detached") -> None:
        """Detach: the process restores its tracer and goes on; every event so far is kept."""
        if self._ended.is_set():
            return
        self._detaching = True
        with contextlib.suppress(ConnectionError):
            self.send("detach")
        if not self._ended.wait(DETACH_GRACE):
            self.kill()

    def kill(self, reason: str = "detached") -> None:
        """Leave at once: the process sees its client go, and detaches itself."""
        self._detaching = True
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)

    def _report_end(self) -> None:
        with self._lock:
            with contextlib.suppress(OSError):
                os.close(self._commands_fd)
            self._commands_fd = -1
        self.sock.close()
        if self._protocol_error:
            status, error = "error", self._protocol_error
        elif self._detaching:
            status, error = "detached", None
        else:
            status, error = "ended", "the process ended (or closed the connection) while attached"
        with self._numbering:
            self._deliver_end(end_event(self._agent_t0, status, None, error))
