"""Entry point of the agent process: ``python -m corodash.agent CONFIG_JSON``."""

import faulthandler
import json
import sys

from corodash.agent.runner import Agent, AgentConfig


def main() -> None:
    faulthandler.enable()  # a crash in C code still says where it happened, on stderr
    config = AgentConfig(**json.loads(sys.argv[1]))
    Agent(config).run()


main()
