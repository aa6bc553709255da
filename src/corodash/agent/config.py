"""What the controller tells an agent to do: the dict on its command line (see boot.py).

A plain class, not a dataclass: ``dataclasses`` imports ``inspect`` and half the standard
library, a tenth of the agent's start-up."""

from __future__ import annotations

from corodash.agent.blocking import DEFAULT_THRESHOLD


class AgentConfig:
    def __init__(
        self,
        script: str,
        argv: list[str],
        events_fd: int,
        commands_fd: int,
        patch: str = "auto",
        step: bool = False,
        stay: bool = False,
        include_libraries: bool = False,
        block_threshold: float = DEFAULT_THRESHOLD,
        record_locals: bool = False,
        module: str | None = None,
        controller: int = 0,
    ) -> None:
        self.script = script
        self.argv = argv
        self.events_fd = events_fd
        self.commands_fd = commands_fd
        self.patch = patch
        self.step = step
        self.stay = stay
        """Keep serving commands after the top level ends (repl and dashboard), or exit."""
        self.include_libraries = include_libraries
        self.block_threshold = block_threshold
        self.record_locals = record_locals
        self.module = module
        """Run this module as ``python -m`` does (``script`` is its file, for showing)."""
        self.controller = controller
        """The controller's pid: the agent dies with it."""
