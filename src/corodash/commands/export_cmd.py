"""``corodash export RECORDING``: a recording as a JSONL trace or a Chrome trace, streamed."""

from __future__ import annotations

import sys

from corodash.export import write_exports
from corodash.recording_file import RecordingError, RecordingReader


def export_recording(path: str, jsonl: str | None, chrome: str | None) -> int:
    """Write the exports asked for; the exit status (2: not a recording, 1: cannot write)."""
    try:
        reader = RecordingReader(path)
    except FileNotFoundError:
        print(f"corodash: {path}: no such file", file=sys.stderr)
        return 2
    except (RecordingError, OSError) as error:
        print(f"corodash: {error}", file=sys.stderr)
        return 2
    with reader:
        try:
            count = write_exports(reader, jsonl, chrome)
        except OSError as error:
            print(f"corodash: cannot write the export: {error.strerror}", file=sys.stderr)
            return 1
    if jsonl:
        print(f"corodash: {count} events to {jsonl}", file=sys.stderr)
    if chrome:
        print(f"corodash: timeline to {chrome}", file=sys.stderr)
    return 0
