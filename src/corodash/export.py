"""A run's whole trace, copied out of its temporary file, with its timeline for Perfetto."""

from __future__ import annotations

import json
import os
import shutil
import time

from corodash.chrome_trace import chrome_trace
from corodash.trace_format import read_trace


def export_trace(trace_path: str, script: str, folder: str = ".") -> tuple[str, str]:
    """Write ``corodash-trace-DATE.jsonl`` and its ``.chrome.json`` in ``folder``; their
    paths. Raises OSError when they cannot be written."""
    name = os.path.join(folder, time.strftime("corodash-trace-%Y%m%d-%H%M%S.jsonl"))
    shutil.copyfile(trace_path, name)
    chrome = name.replace(".jsonl", ".chrome.json")
    runs = [(os.path.basename(script), read_trace(trace_path))]
    with open(chrome, "w") as handle:
        json.dump(chrome_trace(runs), handle)
    return name, chrome
