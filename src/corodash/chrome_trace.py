"""Runs as Chrome Trace Event JSON, which Perfetto and chrome://tracing open.

One process per run (so a patched and an unpatched run sit in one file), one track per task;
running stretches and blocks are complete ("X") slices, yields and switches instants.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from corodash.timeline import build_timeline

TRACK_OFFSET = 1000
"""Track ids are task ids plus this, so that no track id equals a process id."""


def chrome_trace(runs: Iterable[tuple[str, list[dict[str, Any]]]]) -> dict[str, Any]:
    """``runs``: (label, trace events) pairs."""
    records: list[dict[str, Any]] = []
    for pid, (label, events) in enumerate(runs, start=1):
        records.append(
            {"ph": "M", "name": "process_name", "pid": pid, "tid": 0, "args": {"name": label}}
        )
        timeline = build_timeline(events)
        for lane in timeline.lanes.values():
            tid = lane.task + TRACK_OFFSET
            records.append(
                {
                    "ph": "M",
                    "name": "thread_name",
                    "pid": pid,
                    "tid": tid,
                    "args": {"name": f"{lane.name} ({lane.kind} {lane.task})"},
                }
            )
            for start, end in lane.spans:
                records.append(
                    {
                        "ph": "X",
                        "name": lane.name,
                        "cat": lane.kind,
                        "pid": pid,
                        "tid": tid,
                        "ts": _us(start),
                        "dur": _us(end - start),
                        "args": {"task": lane.task},
                    }
                )
            for t, text in lane.marks:
                records.append(
                    {
                        "ph": "i",
                        "s": "t",
                        "name": text,
                        "cat": "event",
                        "pid": pid,
                        "tid": tid,
                        "ts": _us(t),
                        "args": {"task": lane.task},
                    }
                )
            for start, end, text in lane.blocks:
                records.append(
                    {
                        "ph": "X",
                        "name": "blocked the hub",
                        "cat": "block",
                        "pid": pid,
                        "tid": tid,
                        "ts": _us(start),
                        "dur": _us(end - start),
                        "args": {"what": text},
                    }
                )
    return {"traceEvents": records, "displayTimeUnit": "ms"}


def _us(seconds: float) -> float:
    return round(seconds * 1e6, 3)
