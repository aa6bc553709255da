"""What a user waits for: the wall time of the whole ``corodash trace`` process (start-up,
the program, the last event on disk) against plain ``python`` on the same program, side by
side with yappi and VizTracer whole processes. Each round runs every tool once, in turn; a
tool's ratio is its time over plain's in the same round; medians are reported. Also: bytes
per event on disk, and how fast ``corodash export`` turns a recording into JSONL and Chrome
JSON (whole process, events per second).

    python benchmarks/whole_process.py [--runs N] [--quick]
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from run_all import PROGRAMS, PYTHON, YAPPI_RUNNER, bench_options, has

Command = Callable[[Path], list[str]]
CORODASH = str(Path(PYTHON).with_name("corodash"))
"""The command a user types (``python -m corodash`` also imports runpy first: 6 ms)."""


def tools(program: Path, args: list[str]) -> dict[str, Command]:
    """Each tool's command line, given a scratch folder for its output."""
    found = {
        "plain": lambda folder: [PYTHON, str(program), *args],
        "corodash": lambda folder: [
            *(CORODASH, "trace", str(program)),
            *("--quiet", "--out", str(folder / "run.cdrec"), "--", *args),
        ],
        "corodash jsonl": lambda folder: [
            *(CORODASH, "trace", str(program)),
            *("--quiet", "--out", str(folder / "run.jsonl"), "--", *args),
        ],
    }
    if has("yappi"):
        found["yappi"] = lambda folder: [PYTHON, "-c", YAPPI_RUNNER, str(program), *args]
    if has("viztracer"):
        found["viztracer"] = lambda folder: [
            *(PYTHON, "-m", "viztracer", "--quiet", "-o", str(folder / "v.json")),
            *(str(program), *args),
        ]
    return found


def timed(command: list[str]) -> tuple[float, float]:
    """The command's wall time, and the CPU time its processes used (user and system): on a
    busy VM the second moves less from one run to the next."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def ratios(name: str, program: str, args: list[str], runs: int, target: str) -> None:
    commands = tools(PROGRAMS / program, args)
    walls: dict[str, list[float]] = {tool: [] for tool in commands}
    cpus: dict[str, list[float]] = {tool: [] for tool in commands}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        for round_ in range(runs):
            # each round in another order: no tool always runs right after the same one
            names = list(commands)
            names = names[round_ % len(names) :] + names[: round_ % len(names)]
            for tool in names:
                wall, cpu = timed(commands[tool](folder))
                walls[tool].append(wall)
                cpus[tool].append(cpu)
        recording = folder / "run.cdrec"
        events = (folder / "run.jsonl").read_bytes().count(b"\n")
        size = recording.stat().st_size
    plain, plain_cpu = walls.pop("plain"), cpus.pop("plain")
    figures = [f"plain {statistics.median(plain):.2f}s"]
    for tool, times in walls.items():
        ratio = statistics.median(t / p for t, p in zip(times, plain, strict=True))
        cpu = statistics.median(t / p for t, p in zip(cpus[tool], plain_cpu, strict=True))
        figures.append(f"{tool} {ratio:.2f}x (cpu {cpu:.2f}x)")
    print(f"  {name}: " + ", ".join(figures), flush=True)
    print(f"    target: {target}; {events:,} events, {size / events:.1f} bytes each on disk")


def export_rates(runs: int, switches: int) -> None:
    """Export a recording of ``switches`` greenlet switches, whole process."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        recording = folder / "run.cdrec"
        subprocess.run(
            [
                *(CORODASH, "trace", str(PROGRAMS / "greenlet_switches.py")),
                *("--quiet", "--out", str(recording), "--", str(switches)),
            ],
            capture_output=True,
            check=True,
        )
        for what, target in (("--jsonl", ">= 2,000,000"), ("--chrome", ">= 1,000,000")):
            command = [CORODASH, "export", str(recording), what, "x"]
            rates = []
            for _ in range(runs):
                command[-1] = str(folder / f"out{what}")
                rates.append((switches + 3) / timed(command)[0])
            print(
                f"  export {what[2:]}, {switches:,} events: "
                f"{statistics.median(rates):,.0f} events/s (target {target})",
                flush=True,
            )


def main() -> None:
    runs, scale = bench_options(__doc__)
    print(f"whole process on Python {sys.version.split()[0]}, median of {runs} rounds", flush=True)
    ratios(
        f"{3_000_000 // scale:,} greenlet switches",
        "greenlet_switches.py",
        [str(3_000_000 // scale)],
        runs,
        "corodash <= 2.0x, jsonl <= 3.0x",
    )
    ratios(
        f"{10_000 // scale:,} gevent greenlets x 20 sleep(0)",
        "gevent_sleepers.py",
        [str(10_000 // scale), "20"],
        runs,
        "corodash <= 1.4x",
    )
    ratios(
        "code that is not a coroutine",
        "plain_code.py",
        ["31" if scale > 1 else "34"],
        runs,
        "corodash <= 1.05x",
    )
    export_rates(runs, 3_000_000 // scale)


if __name__ == "__main__":
    main()
