"""``corodash export RECORDING``: a recording as a JSONL trace or a Chrome trace, streamed."""

from __future__ import annotations

import os
import sys

from corodash.chrome_trace import ChromeWriter
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
            if jsonl:
                with open(jsonl, "wb") as out:
                    count = reader.write_jsonl(out)
                print(f"corodash: {count} events to {jsonl}", file=sys.stderr)
            if chrome:
                label = os.path.basename(reader.header.get("script") or path)
                with open(chrome, "wb") as out:
                    writer = ChromeWriter(out)
                    writer.run_records(label, reader.batches(), reader.header.get("t0", 0.0))
                    writer.close()
                print(f"corodash: timeline to {chrome}", file=sys.stderr)
        except OSError as error:
            print(f"corodash: cannot write the export: {error.strerror}", file=sys.stderr)
            return 1
    return 0
