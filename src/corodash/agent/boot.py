"""The agent process's entry point: ``python -P -c BOOT CONFIG`` (agent_launch.py).

Start-up is on the path of every run (``corodash trace`` waits for the agent to start, run
the program and end), so this imports only what the agent needs, and the controller passes
its config as marshal data (in hex, or through a pipe when it started the agent before
knowing what to run): no ``json``, ``runpy`` or ``ctypes`` before the program.
"""

from __future__ import annotations

import faulthandler
import marshal
import os
import sys
from _signal import SIGKILL  # not `signal`: it loads enum, 3 ms of start-up

from corodash.agent.accelerator import speedups
from corodash.agent.config import AgentConfig
from corodash.agent.runner import Agent

PR_SET_PDEATHSIG = 1


def die_with_controller(controller: int) -> None:
    """Ask Linux to kill the agent when its controller goes, however it goes: the agent's
    own threads notice a closed pipe, but not while the program is stuck in C code that
    holds the GIL."""
    if speedups is not None:
        if not speedups.die_with_parent():
            return
    else:
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, SIGKILL)
        except (OSError, AttributeError):  # not Linux: the closed pipe still ends the agent
            return
    if controller and os.getppid() != controller:  # it went before the request was made
        os._exit(70)


def agent() -> Agent:
    """The agent, set up from its config and ready to run the program."""
    # a crash in C code still says where it happened, on stderr
    faulthandler.enable(all_threads=False)
    config = AgentConfig(**marshal.loads(_config_data(sys.argv[1])))
    die_with_controller(config.controller)
    return Agent(config)


def _config_data(given: str) -> bytes:
    """The config: in hex, or (``fd:N``, an agent started before the controller knew what
    to run) read from a pipe. A pipe that ends with nothing said: not needed, exit."""
    if not given.startswith("fd:"):
        return bytes.fromhex(given)
    with os.fdopen(int(given[3:]), "rb") as pipe:
        data = pipe.read()
    if not data:
        os._exit(0)
    return data
