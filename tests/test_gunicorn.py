"""A real service: gunicorn with a gevent worker that calls ``corodash.listen()`` in its
``post_worker_init`` hook, under a bounded loop of requests on loopback."""

from __future__ import annotations

import http.client
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import corodash

from corodash.trace_format import read_trace

pytest.importorskip("gunicorn")

APP_DIR = Path(__file__).parent / "data" / "gunicorn_app"
SLOW_LINES = {f"{APP_DIR / 'app.py'}:{line}" for line in (13, 14)}


def get(port: int, path: str) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        return connection.getresponse().read().decode()
    finally:
        connection.close()


def test_trace_attach_finds_the_handler_that_holds_the_hub_and_detaches_cleanly(tmp_path):
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn_conf.py", "app:app"],
        cwd=APP_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    threading.Thread(
        target=lambda: lines.extend(line.rstrip() for line in server.stdout), daemon=True
    ).start()
    stop_load = threading.Event()
    try:
        deadline = time.monotonic() + 30
        while not (any("Listening at" in x for x in lines) and any("corodash" in x for x in lines)):
            assert time.monotonic() < deadline and server.poll() is None, lines
            time.sleep(0.05)
        port = int(re.search(r"127\.0\.0\.1:(\d+)", " ".join(lines)).group(1))
        target = next(x for x in lines if x.startswith("corodash listening")).split()[-1]
        assert get(port, "/tracer") == "None"

        def load() -> None:
            for n in range(400):  # bounded, and stopped when the recording is done
                if stop_load.is_set():
                    return
                get(port, "/slow" if n % 5 == 0 else "/")

        loader = threading.Thread(target=load, daemon=True)
        loader.start()
        out = tmp_path / "gunicorn.cdrec"
        done = corodash("trace", "--attach", target, "--duration", "2", "--out", str(out))
        stop_load.set()
        loader.join(30)
        assert done.returncode == 0, done.stderr
        events = read_trace(out)
        blocks = [e for e in events if e["kind"] == "block"]
        assert blocks, done.stderr
        assert {e["where"] for e in blocks} <= SLOW_LINES
        assert all(e["seconds"] >= 0.25 for e in blocks)
        assert sum(e["kind"] == "switch" for e in events) > 20
        assert events[-1]["status"] == "detached"
        # the service answers, its greenlet tracer what it was before
        assert get(port, "/") == "ok"
        assert get(port, "/tracer") == "None"
    finally:
        stop_load.set()
        server.terminate()
        server.wait(20)
