"""History, measured as the user waits for it: ``corodash repl RECORDING --json`` opening a
recording of greenlet switches or of a generator's events (to its first answer, then to the
task list at the last event), ``goto`` anywhere,
its peak memory, and ``[`` (one event back) in ``corodash view`` in a real pseudo-terminal.
Medians and p90 from one run of this script.

    python benchmarks/history.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from json_console import JsonConsole  # noqa: E402
from ui import CORODASH, PROGRAMS, Terminal, figures, key_latency  # noqa: E402


def record(folder: Path, switches: int) -> Path:
    """A recording of about ``switches`` events (a greenlet switch flood)."""
    return traced(folder, "greenlet_switches.py", switches)


def record_generator(folder: Path, events: int) -> Path:
    """A recording of about ``events`` generator events (a generator's resumes and yields)."""
    return traced(folder, "generator_events.py", events // 2)


def traced(folder: Path, program: str, count: int) -> Path:
    out = folder / f"{Path(program).stem}-{count}.cdrec"
    command = [CORODASH, "trace", str(PROGRAMS / program), "--out", str(out), "--quiet"]
    subprocess.run(
        [*command, "--", str(count)],
        check=True,
        capture_output=True,
    )
    return out


def repl_figures(recording: Path, gotos: int) -> dict:
    """Whole-process open (first answer; then the task list at the last event), ``goto``
    answers at random events, and the process's peak memory."""
    started = time.perf_counter()
    repl = JsonConsole([CORODASH, "repl", str(recording), "--json"])
    ask = repl.ask
    opened = repl.answer()
    first_answer = time.perf_counter() - started
    ask("tasks")
    present = time.perf_counter() - started
    count = opened["count"]
    chosen = random.Random(1).sample(range(count), gotos)
    times = []
    for seq in chosen:
        sent = time.perf_counter()
        ask(f"goto {seq}")
        ask("tasks")
        times.append((time.perf_counter() - sent) * 1000)
    ask("quit")
    repl.process.wait()
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "events": count,
        "open_first_answer_s": round(first_answer, 3),
        "open_to_tasks_at_end_s": round(present, 3),
        **figures("goto_and_tasks", times),
        "goto_max_ms": max(times),
        "peak_rss_mb_so_far": round(peak_mb),
    }


def step_back_latency(recording: Path, presses: int) -> dict:
    """``[`` in ``corodash view``: the key written to the first byte of the next frame."""
    term = Terminal([CORODASH, "view", str(recording)])
    try:
        term.wait_for("HISTORY", timeout=120)
        term.press("[")
        term.wait_for("HISTORY: event", timeout=120)
        time.sleep(0.5)
        return figures("view_step_back", key_latency(term, "[", presses))
    finally:
        term.kill()
        term.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1M and 2M events, not 10M")
    args = parser.parse_args()
    big = 2_000_000 if args.quick else 10_000_000
    results: dict = {}
    with tempfile.TemporaryDirectory() as folder:
        million = record(Path(folder), 1_000_000)
        results["1M"] = repl_figures(million, 20)
        results["1M"].update(step_back_latency(million, 30))
        results["big"] = repl_figures(record(Path(folder), big), 20)
        results["big generator"] = repl_figures(record_generator(Path(folder), big), 20)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
