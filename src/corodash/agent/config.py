"""What the controller tells an agent to do: the JSON on its command line, as a dataclass."""

from __future__ import annotations

from dataclasses import dataclass

from corodash.agent.blocking import DEFAULT_THRESHOLD


@dataclass
class AgentConfig:
    script: str
    argv: list[str]
    events_fd: int
    commands_fd: int
    patch: str = "auto"
    step: bool = False
    stay: bool = False
    """Keep serving commands after the top level ends (repl and dashboard), or exit."""
    include_libraries: bool = False
    block_threshold: float = DEFAULT_THRESHOLD
    record_locals: bool = False
    module: str | None = None
    """Run this module as ``python -m`` does (``script`` is its file, for showing)."""
    controller: int = 0
    """The controller's pid: the agent dies with it."""
