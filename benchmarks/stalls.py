"""How long the traced thread stands still: the gaps over 100 us between consecutive events
in a recording's own times, in a flood where the program records an event every microsecond
or two. Most of them are the channel's looks: each takes the GIL from the busy program, which
waits until the channel's thread has woken on the other core, done its part and let go. No
instruction counts a stall, and the wall clock of a whole run moves more than they add up
to, so they are counted here where they happen. Per program: the program's span (first to
last event) and the gaps' number and total, medians of N runs.

    python benchmarks/stalls.py [--runs N] [--quick]
"""

from __future__ import annotations

import statistics
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

from run_all import PROGRAMS, PYTHON, bench_options

from corodash.recording_file import RecordingReader

CORODASH = str(Path(PYTHON).with_name("corodash"))
GAP = 100e-6
TIMES = struct.Struct("<d16x")
"""A record's time, then the 16 bytes of the rest of it (docs/recording.md)."""


def stalls(recording: Path) -> tuple[float, int, float]:
    """(span, gaps over GAP, their total) of a recording's event times, in seconds."""
    gaps, total = 0, 0.0
    first = last = None
    with RecordingReader(recording) as reader:
        for _, records, _ in reader.batches():
            for (t,) in TIMES.iter_unpack(records):
                if last is not None and t - last > GAP:
                    gaps += 1
                    total += t - last
                first = t if first is None else first
                last = t
    assert first is not None and last is not None, "an empty recording"
    return last - first, gaps, total


def measure(name: str, program: str, args: list[str], runs: int) -> None:
    spans, counts, totals = [], [], []
    with tempfile.TemporaryDirectory() as scratch:
        recording = Path(scratch) / "run.cdrec"
        for _ in range(runs):
            subprocess.run(
                [
                    *(CORODASH, "trace", str(PROGRAMS / program)),
                    *("--quiet", "--out", str(recording), "--", *args),
                ],
                capture_output=True,
                check=True,
            )
            span, count, total = stalls(recording)
            spans.append(span)
            counts.append(count)
            totals.append(total)
    print(
        f"  {name}: span {statistics.median(spans):.2f} s, "
        f"{statistics.median(counts):.0f} gaps over 100 us, "
        f"{statistics.median(totals) * 1000:.0f} ms in all",
        flush=True,
    )


def main() -> None:
    runs, scale = bench_options(__doc__)
    print(f"the traced thread's stalls, Python {sys.version.split()[0]}, median of {runs} runs")
    switches = 3_000_000 // scale
    measure(f"{switches:,} greenlet switches", "greenlet_switches.py", [str(switches)], runs)
    greenlets = 10_000 // scale
    measure(
        f"{greenlets:,} gevent greenlets x 20 sleep(0)",
        "gevent_sleepers.py",
        [str(greenlets), "20"],
        runs,
    )


if __name__ == "__main__":
    main()
