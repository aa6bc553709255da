"""Entry point of the agent process: ``python -m corodash.agent CONFIG_JSON``."""

import ctypes
import faulthandler
import json
import os
import signal
import sys

from corodash.agent.config import AgentConfig
from corodash.agent.runner import Agent

PR_SET_PDEATHSIG = 1


def die_with_controller(controller: int) -> None:
    """Ask Linux to kill the agent when its controller goes, however it goes: the agent's
    own threads notice a closed pipe, but not while the program is stuck in C code that
    holds the GIL."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the closed pipe still ends the agent
        return
    if controller and os.getppid() != controller:  # it went before the request was made
        os._exit(70)


def main() -> None:
    faulthandler.enable(
        all_threads=False
    )  # a crash in C code still says where it happened, on stderr
    config = AgentConfig(**json.loads(sys.argv[1]))
    die_with_controller(config.controller)
    Agent(config).run()


main()
