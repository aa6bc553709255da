"""Builds corodash's optional compiled recorder and tracer fast paths (src/corodash/agent/*.c).

Where no C compiler works the build goes on without them: corodash then traces with its
Python callbacks alone (slower, same events) and says so in a warning here.
"""

from __future__ import annotations

import shlex
import subprocess
import sysconfig
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SOURCES = (
    "src/corodash/agent/_speedups.c",
    "src/corodash/agent/_recorder.c",
    "src/corodash/agent/_decode.c",
    "src/corodash/agent/_jsonl.c",
    "src/corodash/agent/_chrome.c",
    "src/corodash/agent/_output.c",
    "src/corodash/agent/_settrace.c",
    "src/corodash/agent/_greenlet.c",
    "src/corodash/agent/_addresses.c",
    "src/corodash/agent/_then.c",
    "src/corodash/agent/_spawns.c",
    "src/corodash/agent/_monitoring.c",
)


def compile_extension(sources: list[Path], target: Path) -> str | None:
    """Compile ``sources`` into the extension module ``target``; the compiler's complaint when
    it fails, None when it worked."""
    compiler = shlex.split(sysconfig.get_config_var("CC") or "cc")
    include = sysconfig.get_paths()["include"]
    command = [
        *compiler,
        "-O2",
        "-fPIC",
        "-shared",
        f"-I{include}",
        *map(str, sources),
        "-o",
        str(target),
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True)
    except OSError as error:
        return str(error)
    return None if done.returncode == 0 else done.stderr.strip() or "compiler failed"


class SpeedupsBuildHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict) -> None:
        sources = [Path(self.root) / source for source in SOURCES]
        target = sources[0].with_name("_speedups" + sysconfig.get_config_var("EXT_SUFFIX"))
        problem = compile_extension(sources, target)
        if problem is not None:
            self.app.display_warning(f"corodash: tracing fast paths not built: {problem}")
            return
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        if version != "editable":  # an editable install imports it from src/ itself
            build_data["force_include"][str(target)] = f"corodash/agent/{target.name}"
