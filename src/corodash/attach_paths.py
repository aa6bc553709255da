"""Where listening processes put their sockets: one directory per user, private to it.

Shared by the listener (in the service) and the attaching commands (which find a pid's
socket there)."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile


class ListenError(OSError):
    """The socket cannot be made safely here; the message says why."""


def runtime_dir() -> str:
    """The user's own directory for corodash's sockets, made if needed and checked."""
    base = os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()
    folder = os.path.join(base, f"corodash-{os.getuid()}")
    with contextlib.suppress(FileExistsError):
        os.mkdir(folder, 0o700)
    info = os.lstat(folder)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise ListenError(f"{folder} is not a directory (a symlink?): refusing to listen there")
    if info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise ListenError(f"{folder} is not private to this user (owner or mode): refusing")
    return folder


def socket_path(pid: int) -> str:
    """Where the listener of process ``pid`` would be."""
    return os.path.join(runtime_dir(), f"{pid}.sock")
