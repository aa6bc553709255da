"""Attaching, measured as the service and the user see it: requests per second of a gunicorn
gevent worker under a bounded loopback load, without corodash, listening (not attached), and
attached (``corodash trace --attach`` recording meanwhile), in alternating rounds (medians,
ratios from this one run), with the worker's CPU time per request (the client, in Python,
limits requests per second on 2 cores; the worker's CPU shows what corodash costs it); and
the time ``corodash repl --attach`` takes to answer with the full task list of a process with
10,000 live greenlets (and ``corodash attach`` to paint it).

    python benchmarks/attach.py [--quick]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from ui import CORODASH, Terminal  # noqa: E402

SERVICE = HERE / "programs" / "wsgi_service"
IDLE = HERE / "programs" / "many_idle_greenlets.py"
CLIENTS = 4


class Gunicorn:
    def __init__(self, listen: bool) -> None:
        env = {**os.environ, "CORODASH_LISTEN": "1" if listen else "0"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn_conf.py", "app:app"],
            cwd=SERVICE,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.monotonic() + 30
        while not (self._said("Listening at") and self._said("corodash")):
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start: {self.lines}")
            time.sleep(0.02)
        self.port = int(re.search(r"127\.0\.0\.1:(\d+)", " ".join(self.lines)).group(1))
        said = next(line for line in self.lines if line.startswith("corodash"))
        self.target = said.split()[-1] if "not" not in said else None
        booted = next(line for line in self.lines if "Booting worker with pid" in line)
        self.worker = int(booted.split()[-1])

    def worker_cpu(self) -> float:
        """Seconds of CPU the worker has used (user and system), from /proc."""
        with open(f"/proc/{self.worker}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip())

    def _said(self, text: str) -> bool:
        return any(text in line for line in self.lines)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(20)


def load(port: int, requests: int) -> float:
    """Requests per second: CLIENTS keep-alive connections, ``requests`` in all."""

    def client(count: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for _ in range(count):
            connection.request("GET", "/")
            connection.getresponse().read()
        connection.close()

    threads = [threading.Thread(target=client, args=(requests // CLIENTS,)) for _ in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return requests / (time.perf_counter() - started)


def service_rps(rounds: int, requests: int) -> dict:
    rps: dict[str, list[float]] = {"plain": [], "listening": [], "attached": []}
    cpu: dict[str, list[float]] = {mode: [] for mode in rps}
    modes = list(rps)
    for round_number in range(rounds):
        turn = round_number % len(modes)  # each mode goes first in turn: no order bias
        for mode in modes[turn:] + modes[:turn]:
            service = Gunicorn(listen=mode != "plain")
            try:
                load(service.port, requests // 10)  # warm up
                recorder = None
                if mode == "attached":
                    out = str(Path(tempfile.mkdtemp()) / "service.cdrec")
                    recorder = subprocess.Popen(
                        [CORODASH, "trace", "--attach", service.target, "--out", out],
                        stderr=subprocess.PIPE,
                        text=True,
                    )
                    assert recorder.stderr is not None
                    recorder.stderr.readline()  # "attached to process N"
                before = service.worker_cpu()
                rps[mode].append(load(service.port, requests))
                cpu[mode].append((service.worker_cpu() - before) / requests * 1e6)
                if recorder is not None:
                    recorder.send_signal(2)  # Ctrl-C: detach
                    recorder.wait(30)
            finally:
                service.stop()
    medians = {mode: statistics.median(values) for mode, values in rps.items()}
    per_request = {mode: statistics.median(values) for mode, values in cpu.items()}
    return {
        **{f"rps_{mode}": round(value) for mode, value in medians.items()},
        "rps_listening_over_plain": round(medians["listening"] / medians["plain"], 3),
        "rps_attached_over_plain": round(medians["attached"] / medians["plain"], 3),
        **{f"worker_cpu_us_per_request_{m}": round(v, 1) for m, v in per_request.items()},
        "cpu_listening_over_plain": round(per_request["listening"] / per_request["plain"], 3),
        "cpu_attached_over_plain": round(per_request["attached"] / per_request["plain"], 3),
    }


def task_list_time(count: int, runs: int) -> dict:
    service = subprocess.Popen(
        [sys.executable, str(IDLE), str(count)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert service.stdout is not None
        target = service.stdout.readline().split()[-1]
        answers, paints = [], []
        for _ in range(runs):
            started = time.perf_counter()
            repl = subprocess.run(
                [CORODASH, "repl", "--attach", target, "--json"],
                input="quit\n",
                capture_output=True,
                text=True,
                check=True,
            )
            first = json.loads(repl.stdout.splitlines()[0])
            answers.append(time.perf_counter() - started)
            assert len(first["tasks"]) >= count, len(first["tasks"])
            started = time.perf_counter()
            term = Terminal([CORODASH, "attach", target])
            try:
                term.wait_for("parked(", timeout=60)
                paints.append(time.perf_counter() - started)
            finally:
                term.kill()
                term.close()
            time.sleep(0.5)  # the service takes the killed client's detach
    finally:
        service.kill()
        service.wait()
    return {
        f"repl_attach_task_list_{count}_s": round(statistics.median(answers), 3),
        f"dashboard_attach_first_tasks_{count}_s": round(statistics.median(paints), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer rounds and requests")
    args = parser.parse_args()
    rounds, requests = (3, 2000) if args.quick else (9, 6000)
    results = service_rps(rounds, requests)
    results.update(task_list_time(10_000, 2 if args.quick else 3))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
