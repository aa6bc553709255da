"""The engine must not load the UI: the agent runs beside the user's code, and trace/repl/help
must start fast."""

from __future__ import annotations

import subprocess
import sys

ENGINE_MODULES = [
    "corodash.agent.runner",
    "corodash.session",
    "corodash.model",
    "corodash.protocol",
    "corodash.run_client",
    "corodash.traced_run",
    "corodash.comparison_run",
    "corodash.commands.trace_cmd",
    "corodash.commands.repl_cmd",
    "corodash.cli",
]


def test_engine_imports_neither_textual_nor_rich():
    code = (
        "import sys\n"
        + "".join(f"import {name}\n" for name in ENGINE_MODULES)
        + "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_agent_imports_neither_greenlet_nor_gevent_until_the_program_does():
    code = (
        "import sys, corodash.agent.runner\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('gevent', 'greenlet')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_ui_uses_the_engine_and_no_command_module():
    """Commands and the dashboard are two front ends of one engine."""
    code = (
        "import sys, pkgutil, importlib, corodash.tui\n"
        "for m in pkgutil.walk_packages(corodash.tui.__path__, 'corodash.tui.'):\n"
        "    importlib.import_module(m.name)\n"
        "print(sorted(m for m in sys.modules if m.startswith('corodash.commands')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
