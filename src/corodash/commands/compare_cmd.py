"""``corodash compare SCRIPT``: run it patched and unpatched, say what patching changed."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from corodash.commands.trace_cmd import TraceRun
from corodash.compare import Comparison, RunSummary, compare, describe_block, summarize
from corodash.session import RunOptions
from corodash.trace_format import read_trace

PATCHED, UNPATCHED = "on", "off"


def run_mode(options: RunOptions, mode: str, timeout: float | None) -> list[dict]:
    """One traced run in patch mode ``mode``; its events."""
    handle, path = tempfile.mkstemp(prefix="corodash-compare-", suffix=".jsonl")
    os.close(handle)
    try:
        TraceRun(replace(options, patch=mode), path, timeout, None).run()
        return read_trace(path)
    finally:
        os.unlink(path)


def run_comparison(options: RunOptions, timeout: float | None) -> Comparison:
    """Both runs one after the other (side by side they would share the cores)."""
    patched = summarize("patched", run_mode(options, PATCHED, timeout))
    unpatched = summarize("unpatched", run_mode(options, UNPATCHED, timeout))
    source = Path(options.script).read_text(errors="replace")
    return compare(patched, unpatched, source, options.script)


def print_comparison(result: Comparison, out: TextIO, as_json: bool) -> None:
    if as_json:
        out.write(json.dumps(result.as_dict()) + "\n")
        return
    patched, unpatched = result.patched, result.unpatched
    rows = [
        ("wall time", f"{patched.wall:.3f} s", f"{unpatched.wall:.3f} s"),
        ("switches", str(patched.switches), str(unpatched.switches)),
        (
            "blocking stretches",
            str(sum(b["count"] for b in patched.blocks)),
            str(sum(b["count"] for b in unpatched.blocks)),
        ),
        ("time blocked", f"{patched.blocked_seconds:.3f} s", f"{unpatched.blocked_seconds:.3f} s"),
        ("exit", f"{patched.status} {patched.exit}", f"{unpatched.status} {unpatched.exit}"),
    ]
    out.write(f"{'':<20}{'patched':>16}{'unpatched':>16}\n")
    for label, left, right in rows:
        out.write(f"{label:<20}{left:>16}{right:>16}\n")
    out.write(f"{'speed-up':<20}{result.speedup:>15.2f}x\n\n")
    _blocks(out, patched)
    _blocks(out, unpatched)
    out.write(result.sentence + "\n")
    for hint in result.hints:
        out.write(f"hint: {hint}\n")


def _blocks(out: TextIO, run: RunSummary) -> None:
    if run.blocks:
        out.write(f"blocking calls, {run.mode}:\n")
        for block in run.blocks:
            out.write(f"  {describe_block(block)}\n")
        out.write("\n")
