"""Instructions, not seconds: what ``corodash trace`` executes against plain ``python`` on the
same program, counted by valgrind (callgrind) in each process. Wall time on a shared VM
moves by 10% from one run to the next; an instruction count moves by well under 1%, so a
change of a few percent in the tracer shows here when the wall clock cannot tell it.

Per program: plain's instructions, the agent's (the traced program's process: its critical
path) and the controller's (which runs beside it, on another core), with the agent's ratio
to plain. Needs valgrind (Debian: ``apt install valgrind``); without it, says so and stops.
Runs under valgrind are about 50 times slower than native, so the programs here are small.

    python benchmarks/instructions.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from run_all import PROGRAMS, PYTHON

CASES = [
    ("300,000 greenlet switches", "greenlet_switches.py", ["300000"]),
    ("2,000 gevent greenlets x 20 sleep(0)", "gevent_sleepers.py", ["2000", "20"]),
    ("code that is not a coroutine", "plain_code.py", ["20"]),
]


def instructions(command: list[str], folder: Path) -> dict[str, int]:
    """Instructions executed by each process of ``command``, by its role."""
    for old in folder.glob("cg.*"):
        old.unlink()
    subprocess.run(
        [
            *("valgrind", "--tool=callgrind", "--trace-children=yes"),
            f"--callgrind-out-file={folder}/cg.%p",
            *command,
        ],
        capture_output=True,
        check=True,
    )
    counted: dict[str, int] = {}
    for profile in folder.glob("cg.*"):
        text = profile.read_text(errors="replace")
        cmd = next(line for line in text.splitlines() if line.startswith("cmd:"))
        total = next(line for line in text.splitlines() if line.startswith("totals:"))
        role = "plain"
        if "corodash" in cmd:
            role = "agent" if "corodash.agent.boot" in cmd else "controller"
        counted[role] = counted.get(role, 0) + int(total.split()[1])
    return counted


def main() -> None:
    if shutil.which("valgrind") is None:
        print("instructions: valgrind is not installed (apt install valgrind); nothing measured")
        return
    print(f"instructions executed, Python {sys.version.split()[0]} (callgrind)", flush=True)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        for name, program, args in CASES:
            path = str(PROGRAMS / program)
            plain = instructions([PYTHON, path, *args], folder)["plain"]
            traced = instructions(
                [
                    *(PYTHON, "-m", "corodash", "trace", path, "--quiet"),
                    *("--out", str(folder / "run.cdrec"), "--", *args),
                ],
                folder,
            )
            print(
                f"  {name}: plain {plain / 1e6:,.0f}M, agent {traced['agent'] / 1e6:,.0f}M "
                f"({traced['agent'] / plain:.2f}x), controller {traced['controller'] / 1e6:,.0f}M",
                flush=True,
            )


if __name__ == "__main__":
    main()
