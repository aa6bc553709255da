"""``corodash compare SCRIPT``: what patching changed, printed (the runs: comparison_run.py)."""

from __future__ import annotations

import json
from typing import TextIO

from corodash.compare import Comparison, RunSummary, describe_block


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
    if result.speedup is not None:
        out.write(f"{'speed-up':<20}{result.speedup:>15.2f}x\n")
    out.write("\n")
    _blocks(out, patched)
    _blocks(out, unpatched)
    out.write(result.sentence + "\n")
    for hint in result.hints:
        out.write(f"hint: {hint}\n")


def comparison_status(result: Comparison) -> int:
    """0 when both runs could be compared; 124 when a run hit the timeout, else 1."""
    if not result.failed:
        return 0
    return 124 if result.timed_out else 1


def _blocks(out: TextIO, run: RunSummary) -> None:
    if run.blocks:
        out.write(f"blocking calls, {run.mode}:\n")
        for block in run.blocks:
            out.write(f"  {describe_block(block)}\n")
        out.write("\n")
