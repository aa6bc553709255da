"""The dashboard, measured: start-up, keypress and step latency in a real pseudo-terminal,
the tasks pane at 100,000 tasks, the events pane taking 100,000 events, and UI memory after
millions of events. Medians (and p90 for latencies), each from one run of this script.

    python benchmarks/ui.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent / "tests"))

from pty_terminal import Terminal  # noqa: E402

PROGRAMS = HERE / "programs"
CORODASH = str(Path(sys.executable).with_name("corodash"))


def p90(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.9) - 1]


def help_time(runs: int) -> dict:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([CORODASH, "--help"], capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    imported = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "corodash", "--help"],
        capture_output=True,
        text=True,
    ).stderr
    return {
        "help_ms": statistics.median(times) * 1000,
        "help_imports_textual": " textual" in imported,
    }


def startup(runs: int) -> dict:
    paint, attached = [], []
    for _ in range(runs):
        started = time.perf_counter()
        term = Terminal([CORODASH, str(PROGRAMS / "endless_generator.py")])
        try:
            # Timed when the bytes reach the terminal, not after pyte has parsed them.
            paint.append(term.wait_for_bytes(b"tasks") - started)
            attached.append(term.wait_for_bytes(b"paused") - started)
        finally:
            term.kill()
            term.close()
    return {
        "first_paint_ms": statistics.median(paint) * 1000,
        "agent_attached_ms": statistics.median(attached) * 1000,
    }


def key_latency(term: Terminal, key: str, presses: int, wait: float = 0.03) -> list[float]:
    """Key written to the first byte of the next frame reaching the terminal, in ms."""
    latencies = []
    for _ in range(presses):
        term.drain(0.02)
        sent = time.perf_counter()
        term.press(key)
        arrived = term.next_arrival(2.0)
        latencies.append(((arrived or time.perf_counter()) - sent) * 1000)
        term.read_for(wait)
    return latencies


def latency_in(
    argv: list[str],
    ready: str,
    key: str,
    presses: int,
    settle: float,
    lines: int = 32,
    timeout: float = 20,
) -> list[float]:
    """Start corodash with ``argv``, wait for ``ready`` on screen and ``settle`` seconds,
    then time ``presses`` presses of ``key``."""
    term = Terminal([CORODASH, *argv], lines=lines)
    try:
        term.wait_for(ready, timeout=timeout)
        term.read_for(settle)  # not drain(): under a flood the screen is never quiet that long
        return key_latency(term, key, presses)
    finally:
        term.kill()
        term.close()


def figures(name: str, latencies: list[float]) -> dict:
    return {f"{name}_median_ms": statistics.median(latencies), f"{name}_p90_ms": p90(latencies)}


def keys_with_tasks(count: int, presses: int) -> dict:
    argv = ["--run", str(PROGRAMS / "many_generators.py"), "--", str(count)]
    down = latency_in(argv, "top level finished", "\x1b[B", presses, 0.5, lines=40, timeout=120)
    return figures(f"key_{count}_tasks", down)


def step_latency(presses: int) -> dict:
    steps = latency_in([str(PROGRAMS / "endless_generator.py")], "paused", " ", presses, 0.3)
    return figures("step", steps)


def drive_at_stop(presses: int) -> dict:
    """``n`` at a step's stop, to the driven generator's yield on the screen (in the events
    pane or the status line's answer, whichever shows first; its value grows by one a
    press)."""
    term = Terminal([CORODASH, str(PROGRAMS / "endless_generator.py")])
    latencies = []
    try:
        term.wait_for("paused")
        term.press(" ")
        term.wait_for("yielded 0")
        term.press("n")
        term.wait_for("yielded 1")
        time.sleep(0.3)
        expected = max(int(n) for n in re.findall(r"yielded (\d+)", term.text()))
        for _ in range(presses):
            expected += 1
            sent = time.perf_counter()
            term.press("n")
            reached = term.wait_for_screen(f"yielded {expected}", timeout=5)
            latencies.append((reached - sent) * 1000)
            time.sleep(0.05)
    finally:
        term.kill()
        term.close()
    return figures("drive_at_stop", latencies)


def keys_under_flood(presses: int, rate: int) -> dict:
    """Under a flood any frame may be a flood frame: time the key's own effect instead, the
    help screen's title reaching the terminal after ``?``. The terminal is read all along,
    as a real one is (left unread, the dashboard's writes wait, and frames drawn before the
    key arrive after it: a title among them was taken for the key's)."""
    term = Terminal([CORODASH, "--run", str(PROGRAMS / "flood.py"), "--", str(rate)])
    latencies = []
    try:
        term.wait_for("running")
        term.read_for(1.0)
        for _ in range(presses):
            term.arrived = b""
            sent = time.perf_counter()
            term.press("?")
            latencies.append((term.wait_for_bytes(b"corodash keys", timeout=5) - sent) * 1000)
            term.press("\x1b")
            term.read_for(0.15)
    finally:
        term.kill()
        term.close()
    return figures(f"help_under_{rate // 1000}k_events_s", latencies)


async def events_pane(count: int) -> dict:
    """A batch of ``count`` whole yield records into the panes and the model, as the bridge
    hands it over, to the next frame."""
    from corodash.live_feed import LiveFeed
    from corodash.protocol import YIELD
    from corodash.records import FORM_BINARY, RECORD, VALUE_INT
    from corodash.session import RunOptions
    from corodash.tui.app import CorodashApp
    from corodash.tui.log_panes import LINES_PER_BATCH

    app = CorodashApp(RunOptions(str(PROGRAMS / "many_generators.py"), ["1"]))
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.screen
        await pilot.pause(1.0)
        records = b"".join(
            RECORD.pack(n * 1e-6, YIELD, FORM_BINARY, VALUE_INT, 1, n, 10) for n in range(count)
        )
        feed = LiveFeed(screen.model)
        started = time.perf_counter()
        screen.logs.add(feed.fold(records, [], 0.0, LINES_PER_BATCH), screen.model.labels)
        await pilot.pause()
        elapsed = time.perf_counter() - started
    return {f"events_pane_{count}_ms": elapsed * 1000}


async def memory_after(count: int, filtered: bool = False) -> dict:
    """The dashboard taking a flood of ``count`` events (``filtered``: with its events pane
    filtered to one greenlet, whose switches are half the flood)."""
    from corodash.session import RunOptions
    from corodash.tui.app import CorodashApp

    app = CorodashApp(RunOptions(str(PROGRAMS / "flood.py"), ["5000000"]))
    started = time.perf_counter()
    cpu = time.process_time()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.screen
        if filtered:
            while not (greenlets := [t for t, row in screen.model.tasks.items() if t]):
                await pilot.pause(0.01)
            screen.panes.filter_task = greenlets[0]
        while sum(screen.model.counts.values()) < count:
            await pilot.pause(0.2)
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        total = sum(screen.model.counts.values())
        cpu = time.process_time() - cpu
    seconds = time.perf_counter() - started
    if filtered:
        return {
            "filtered_events_per_s_into_the_dashboard": total / seconds,
            "filtered_dashboard_cpu_ns_per_event": cpu / total * 1e9,
        }
    return {
        "events_seen": total,
        "seconds": seconds,
        "events_per_s_into_the_dashboard": total / seconds,
        "dashboard_cpu_ns_per_event": cpu / total * 1e9,
        "ui_peak_rss_mb": rss_mb,
    }


def search_lines(count: int, runs: int) -> dict:
    """The search box over ``count`` event lines as the events pane writes them: the first
    key (which folds the lines' case once) and the keys after it (medians)."""
    from corodash.tui.log_search import LogSearch

    trades = ("baker", "courier", "tailor")
    lines = [
        f"{n:>6} worker('{trades[n % 3]}') printed: {trades[n % 3]} step {n % 7}"
        for n in range(count)
    ]
    first, typed = [], []
    for _ in range(runs):
        search = LogSearch()
        started = time.perf_counter()
        search.find("t", lines)
        first.append((time.perf_counter() - started) * 1000)
        for text in ("ta", "tai", "tailor s", "tailor step 3"):
            started = time.perf_counter()
            search.find(text, lines)
            typed.append((time.perf_counter() - started) * 1000)
    return {
        f"search_{count}_first_key_ms": statistics.median(first),
        f"search_{count}_next_keys_ms": statistics.median(typed),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick
    runs, presses = (3, 20) if quick else (7, 60)
    results = {}
    results.update(help_time(runs))
    results.update(startup(runs))
    results.update(keys_with_tasks(20, presses))
    results.update(keys_with_tasks(10_000 if quick else 100_000, presses))
    results.update(step_latency(presses))
    results.update(drive_at_stop(presses))
    results.update(keys_under_flood(presses, 200_000))
    results.update(keys_under_flood(presses, 1_000_000))
    results.update(asyncio.run(events_pane(100_000)))
    results.update(asyncio.run(memory_after(1_000_000 if quick else 10_000_000)))
    results.update(asyncio.run(memory_after(1_000_000 if quick else 5_000_000, filtered=True)))
    results.update(search_lines(1_000_000, runs))  # last: its lines must not count in RSS
    print(f"corodash dashboard benchmarks, Python {sys.version.split()[0]}")
    for key, value in results.items():
        shown = f"{value:,.1f}" if isinstance(value, float) else str(value)
        print(f"  {key}: {shown}")


if __name__ == "__main__":
    main()
