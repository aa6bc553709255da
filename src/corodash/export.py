"""A run's whole trace, copied out of its temporary file, with its timeline for Perfetto.

Exports of long runs take seconds, so an export reports its progress and can be cancelled
between pieces; its files appear under their names only once complete.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from typing import Any

import msgspec

from corodash.chrome_trace import write_chrome

CHUNK = 1 << 20
"""Bytes copied or read between looks at progress and cancellation."""

Progress = Callable[[str, float], None]
"""(what is being done, fraction of it done)."""


class ExportCancelled(Exception):
    """The user cancelled the export; no file was left behind."""


def export_trace(
    trace_path: str,
    script: str,
    folder: str = ".",
    progress: Progress | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> tuple[str, str]:
    """Write ``corodash-trace-DATE.jsonl`` and its ``.chrome.json`` in ``folder``; their
    paths. Raises OSError when they cannot be written, ExportCancelled when cancelled."""
    name = os.path.join(folder, time.strftime("corodash-trace-%Y%m%d-%H%M%S.jsonl"))
    chrome = name.replace(".jsonl", ".chrome.json")
    report = progress or (lambda what, done: None)
    parts = [name + ".part", chrome + ".part"]
    try:
        events = _copy_and_read(trace_path, parts[0], report, cancelled)
        report("building the timeline", 0.0)
        with open(parts[1], "wb") as handle:
            write_chrome(handle, [(os.path.basename(script), events)])
        if cancelled():
            raise ExportCancelled
        os.replace(parts[0], name)
        os.replace(parts[1], chrome)
    finally:
        for part in parts:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(part)
    return name, chrome


def _copy_and_read(
    source: str, target: str, report: Progress, cancelled: Callable[[], bool]
) -> list[dict[str, Any]]:
    """Copy the trace, decoding its events on the way (one read of the file)."""
    total = max(1, os.path.getsize(source))
    decode = msgspec.json.Decoder().decode_lines
    events: list[dict[str, Any]] = []
    done = 0
    with open(source, "rb") as reader, open(target, "wb") as writer:
        rest = b""
        while chunk := reader.read(CHUNK):
            if cancelled():
                raise ExportCancelled
            writer.write(chunk)
            whole, _, tail = (rest + chunk).rpartition(b"\n")
            events.extend(decode(whole))
            rest = tail
            done += len(chunk)
            report("copying the trace", done / total)
        if rest.strip():
            events.extend(decode(rest))
    return events
