"""The dashboard leaves cleanly when it is told to or its terminal goes away.

SIGTERM and SIGHUP exit the app the normal way (screens unmount, agents are stopped, their
temporary traces deleted, the terminal restored). A terminal can also vanish without a signal
reaching corodash (a closed window under ``make``, where the shell's hang-up went elsewhere):
then the descriptor reports a hang-up. A thread of its own waits for that in ``poll`` (not
the event loop, which a busy screen or Textual's input thread spinning on the dead
descriptor can hold up for seconds): the agents are stopped, their traces deleted, and the
process leaves at once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
from select import POLLERR, POLLHUP, POLLNVAL, poll

from textual.app import App


def watch_terminal(app: App) -> None:
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(signum, app.exit, None, 128 + signum)
    if sys.__stdin__ is not None and sys.__stdin__.isatty():
        fd = sys.__stdin__.fileno()
        threading.Thread(
            target=_leave_on_hangup, args=(app, fd), name="corodash-terminal", daemon=True
        ).start()


def _leave_on_hangup(app: App, fd: int) -> None:
    """Wait (without polling on a timer) until the terminal hangs up; then leave."""
    watch = poll()
    watch.register(fd, POLLHUP)  # hang-ups and errors are always reported; input is not
    while True:
        masks = [mask for _, mask in watch.poll()]
        if any(mask & POLLNVAL for mask in masks):
            return  # the descriptor was closed here: the process is ending anyway
        if any(mask & (POLLHUP | POLLERR) for mask in masks):
            stop_every_run(app)
            # Nothing to restore on a terminal that is gone, and Textual's own exit would
            # wait on its input thread, which spins on the dead descriptor.
            os._exit(128 + signal.SIGHUP)


def stop_every_run(app: App) -> None:
    for screen in app.screen_stack:
        stop = getattr(screen, "stop_run", None)
        if stop is not None:
            stop()
