"""``corodash.listen()``: a running program (a gevent service) lets corodash attach to it.

Listening costs nothing measurable: a real OS thread waits in ``accept`` on a Unix socket;
no tracer is installed until a client attaches (attachment.py), and detaching restores what
was there before. The socket lives in a directory only its user can enter (mode 0700, owned
by the user, not a symlink), with mode 0600; there is no TCP. One client at a time: a
second one is told so and closed.
"""

from __future__ import annotations

import _socket
import atexit
import contextlib
import gc
import os
import stat
import sys

from corodash.agent.originals import get_ident, start_new_thread
from corodash.attach_paths import ListenError, socket_path
from corodash.protocol import encode_frame

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

BUSY = "another corodash client is attached to this process: detach it first"


class Listener:
    def __init__(self, path: str, hub: Any) -> None:
        """``hub``: the gevent hub of the thread that called ``listen`` (the one to trace),
        or None."""
        self.path = path
        self.hub = hub
        self.thread = get_ident()
        self.attached: Any = None
        if os.path.lexists(path):
            if not stat.S_ISSOCK(os.lstat(path).st_mode):
                raise ListenError(f"{path} exists and is not a socket: refusing to replace it")
            os.unlink(path)  # a stale socket of a process that has gone
        self.sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
        old = os.umask(0o177)
        try:
            self.sock.bind(path)
        finally:
            os.umask(old)
        os.chmod(path, 0o600)
        self.sock.listen(2)
        self.pid = os.getpid()
        atexit.register(self._remove_socket)
        start_new_thread(self._serve, ())

    def _serve(self) -> None:
        while True:
            try:
                conn_fd, _ = self.sock._accept()
            except OSError:
                return  # closed
            conn = _socket.socket(fileno=conn_fd)
            if self.attached is not None:
                with contextlib.suppress(OSError):
                    conn.sendall(encode_frame(("busy", BUSY)))
                conn.close()
                continue
            from corodash.agent.attachment import Attachment

            self.hub = self.hub or _hub_of(self.thread)  # gevent imported after listen()
            self.attached = Attachment(conn, self.hub, self.thread, self._detached)
            self.attached.start()

    def _remove_socket(self) -> None:
        """At exit, the socket goes with the process (not in a forked child: it is the
        parent's)."""
        if os.getpid() == self.pid:
            with contextlib.suppress(OSError):
                os.unlink(self.path)

    def _detached(self) -> None:
        self.attached = None


def _hub_of(thread: int) -> Any:
    """The gevent hub of ``thread``, if gevent is loaded and that thread has one."""
    hub_module = sys.modules.get("gevent.hub")
    if hub_module is None:
        return None
    hubs = [o for o in gc.get_objects() if isinstance(o, hub_module.Hub)]
    return next((hub for hub in hubs if getattr(hub, "thread_ident", None) == thread), None)


_listener: Listener | None = None


def listen(path: str | None = None) -> str:
    """Start listening (once per process); the target ``corodash attach`` takes."""
    global _listener
    if _listener is not None:
        return _listener.path
    gevent = sys.modules.get("gevent")
    hub = gevent.get_hub() if gevent is not None else None
    _listener = Listener(path or socket_path(os.getpid()), hub)
    return _listener.path
