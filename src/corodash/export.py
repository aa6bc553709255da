"""A recording exported as a JSONL trace and a Chrome trace: what ``corodash export`` writes,
and the dashboard's ``e`` (on the recording it keeps of its run, in a worker).

Exports of long runs take seconds, so an export reports its progress and can be cancelled
between blocks; its files appear under their names only once complete.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable

from corodash.chrome_trace import ChromeWriter
from corodash.recording_file import RecordingReader

Progress = Callable[[str, float], None]
"""(what is being done, fraction of it done)."""


class ExportCancelled(Exception):
    """The user cancelled the export; no file was left behind."""


def write_exports(
    reader: RecordingReader,
    jsonl: str | None,
    chrome: str | None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> int:
    """Write the exports asked for, each under its name only once complete; the number of
    events. Raises OSError when a file cannot be written, ExportCancelled when cancelled."""
    report = progress or (lambda what, done: None)
    total = max(1, os.path.getsize(reader.path))

    def at_block(what: str) -> Callable[[int], None]:
        def look(offset: int) -> None:
            if cancelled():
                raise ExportCancelled
            report(what, min(1.0, offset / total))  # a live recording grows meanwhile

        return look

    parts = [(path, path + ".part") for path in (jsonl, chrome) if path]
    count = 0
    try:
        if jsonl:
            with open(jsonl + ".part", "wb") as out:
                count = reader.write_jsonl(out, at_block("writing JSON Lines"))
        if chrome:
            label = os.path.basename(reader.header.get("script") or str(reader.path))
            blocks = reader.batches(at_block=at_block("building the timeline"))
            with open(chrome + ".part", "wb") as out:
                writer = ChromeWriter(out)
                writer.run_records(label, blocks, reader.header.get("t0", 0.0))
                writer.close()
        for path, part in parts:
            os.replace(part, path)
    finally:
        for _, part in parts:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(part)
    return count


def export_run(
    recording: str,
    folder: str = ".",
    progress: Progress | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> tuple[str, str, int]:
    """``corodash-trace-DATE.jsonl`` and its ``.chrome.json`` in ``folder``, from a run's
    recording (complete or still being written): their paths and the number of events."""
    name = os.path.join(folder, time.strftime("corodash-trace-%Y%m%d-%H%M%S.jsonl"))
    chrome = name.replace(".jsonl", ".chrome.json")
    with RecordingReader(recording) as reader:
        count = write_exports(reader, name, chrome, progress, cancelled)
    return name, chrome, count
