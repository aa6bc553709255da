"""Threads, locks and sleep as the OS gives them, even after gevent's monkey patching.

The agent's own threads must be real: the channel and command threads of a traced script
(imported before the program runs, so nothing is patched yet) and those of an attachment
to a service, which gevent has usually patched long before (``corodash.listen``).
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def original(module: str, name: str) -> Any:
    """``module.name`` as it was before gevent patched it (as it is, if it never did)."""
    monkey = sys.modules.get("gevent.monkey")
    if monkey is not None:
        return monkey.get_original(module, name)
    return getattr(__import__(module), name)


start_new_thread = original("_thread", "start_new_thread")
allocate_lock = original("_thread", "allocate_lock")
get_ident = original("_thread", "get_ident")
sleep = original("time", "sleep")
read = original("os", "read")
write = original("os", "write")
writev = original("os", "writev")
close = original("os", "close")
"""gevent's ``os.close`` refuses some descriptors and tells its hub (from any thread)."""
