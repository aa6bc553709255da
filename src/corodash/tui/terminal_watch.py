"""The dashboard leaves cleanly when it is told to or its terminal goes away.

SIGTERM and SIGHUP exit the app the normal way (screens unmount, agents are stopped, their
temporary traces deleted, the terminal restored). A terminal can also vanish without a signal
reaching corodash (a closed window under ``make``, where the shell's hang-up went elsewhere):
then the descriptor reports a hang-up, which is looked at twice a second: the agents are
stopped, their traces deleted, and the process leaves at once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from select import POLLERR, POLLHUP, POLLNVAL, poll

from textual.app import App

HANGUP_CHECK = 0.5
"""Seconds between looks at the terminal: it is left within a second of going away."""


def watch_terminal(app: App) -> None:
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(signum, app.exit, None, 128 + signum)
    if sys.__stdin__ is not None and sys.__stdin__.isatty():
        watch = poll()
        watch.register(sys.__stdin__.fileno(), POLLHUP)

        def check() -> None:
            if any(mask & (POLLHUP | POLLERR | POLLNVAL) for _, mask in watch.poll(0)):
                stop_every_run(app)
                # Nothing to restore on a terminal that is gone, and Textual's own exit
                # would wait on its input thread, which spins on the dead descriptor.
                os._exit(128 + signal.SIGHUP)

        app.set_interval(HANGUP_CHECK, check)


def stop_every_run(app: App) -> None:
    for screen in app.screen_stack:
        stop = getattr(screen, "stop_run", None)
        if stop is not None:
            stop()
