"""Attaching to a running gevent service that called ``corodash.listen()``, and detaching
without a trace: through the real ``trace --attach`` and ``repl --attach`` commands."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import corodash, program
from json_console import JsonConsole

from corodash.attach_paths import ListenError, runtime_dir, socket_path
from corodash.trace_format import read_trace

SERVICE = program("listening_service")
NO_HUB = (
    "import sys, time, corodash\n"
    "print('listening', corodash.listen(sys.argv[1]), flush=True)\n"
    "time.sleep(30)"
)


class Service:
    """The service process, its stdout read on a thread (lines kept in order)."""

    def __init__(self, seconds: float = 60, path: str | None = None) -> None:
        argv = [sys.executable, SERVICE, str(seconds), *([path] if path else [])]
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.wait_for(lambda: any(line.startswith("listening ") for line in self.lines))
        self.socket = next(line for line in self.lines if line.startswith("listening ")).split()[1]

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, condition: Callable[[], bool], timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"the service never got there: {self.lines[-5:]}")
            time.sleep(0.02)

    def tracer_reports(self) -> int:
        return sum(line.startswith("tracer ") for line in self.lines)

    def tracer_now(self) -> str:
        """The tracer the service reports next (a report made from now on)."""
        return self._report_now()[1]

    def tools_now(self) -> int:
        """How many sys.monitoring tool ids the service has taken, as it reports next."""
        return int(self._report_now()[3])

    def _report_now(self) -> list[str]:
        seen = self.tracer_reports()
        self.wait_for(lambda: self.tracer_reports() > seen)
        return [line for line in self.lines if line.startswith("tracer ")][-1].split()

    def threads(self) -> int:
        return len(os.listdir(f"/proc/{self.process.pid}/task"))

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()


@pytest.fixture
def service() -> Iterator[Service]:
    running = Service()
    try:
        yield running
    finally:
        running.stop()


def test_listening_installs_nothing_and_costs_one_waiting_thread(service):
    assert service.tracer_now() == "none"
    assert service.threads() == 2  # the program's, and the listener waiting in accept
    mode = os.stat(service.socket).st_mode & 0o777
    assert mode == 0o600 and os.stat(os.path.dirname(service.socket)).st_mode & 0o777 == 0o700


def test_trace_attach_records_switches_and_blocks_then_leaves_no_trace(service, tmp_path):
    out = tmp_path / "service.cdrec"
    done = corodash(
        "trace", "--attach", str(service.process.pid), "--duration", "1", "--out", str(out)
    )
    assert done.returncode == 0, done.stderr
    assert f"attached to process {service.process.pid}" in done.stderr
    events = read_trace(out)
    labels = {e["label"] for e in events if e["kind"] == "spawn"}
    assert {"hub", "hog", "report", *(f"worker({n})" for n in range(5))} <= labels
    assert sum(e["kind"] == "switch" for e in events) > 50
    blocks = [e for e in events if e["kind"] == "block"]
    assert blocks and all(e["name"] == "hog" for e in blocks)
    assert {e["where"] for e in blocks} <= {f"{SERVICE}:28", f"{SERVICE}:29"}
    assert all(0.15 < e["seconds"] < 0.5 for e in blocks)
    assert events[-1]["kind"] == "end" and events[-1]["status"] == "detached"
    yields = [e["value"] for e in events if e["kind"] == "yield" and e["name"] == "countdown"]
    if sys.version_info >= (3, 12):  # sys.monitoring traces generators attached
        assert yields and set(yields) <= {"3", "2", "1"}
    else:
        assert not any(e["kind"] == "yield" for e in events)
    # the service goes on, its tracer as it was, no thread of ours left but the listener
    assert service.tracer_now() == "none"
    assert service.tools_now() == 0
    service.wait_for(lambda: service.threads() == 2)
    assert service.process.poll() is None


def test_repl_attach_lists_the_greenlets_and_never_drives_them(service):
    done = corodash(
        "repl",
        "--attach",
        service.socket,
        "--json",
        stdin="where hog\nstep\nnext 2\nevents 5\nquit\n",
    )
    assert done.returncode == 0, done.stderr
    first, where, step, drive, events, bye = (json.loads(x) for x in done.stdout.splitlines())
    assert first["attached"] == service.process.pid
    states = {task["label"]: task["state"] for task in first["tasks"]}
    assert states["worker(0)"] == "suspended" and states["hub"] in ("running", "suspended")
    assert where["where"]["stack"][0]["function"] == "hog"
    assert not step["ok"] and step["error"] == (
        "the service is running: step applies once it is paused"
    )
    assert not drive["ok"] and "never driven" in drive["error"]
    assert events["ok"] and len(events["history"]) == 5
    assert bye["status"]["status"] == "detached"
    assert service.tracer_now() == "none"


def test_a_paused_service_serves_nothing_until_it_continues_or_is_left(service):
    repl = JsonConsole(
        [sys.executable, "-m", "corodash", "repl", "--attach", service.socket, "--json"]
    )
    ask = repl.ask
    assert repl.answer()["ok"]
    paused = ask("pause")
    assert paused["state"] == "paused" and "serves nothing" in paused["warning"]
    reports = service.tracer_reports()
    stepped = ask("step 3")
    assert stepped["state"] == "paused" and stepped["position"]["task"] >= 0
    assert ask("continue")["state"] == "running"
    service.wait_for(lambda: service.tracer_reports() > reports)
    assert ask("pause")["state"] == "paused"
    repl.stdin.close()  # leaving while paused: the service goes on, as it was
    repl.process.wait(20)
    assert service.tracer_now() == "none"


def test_a_second_client_is_refused_and_a_killed_one_detaches(service, tmp_path):
    argv = [sys.executable, "-m", "corodash", "repl", "--attach", service.socket, "--json"]
    first = JsonConsole(argv)
    assert first.answer()["ok"]  # attached: its first answer came
    assert service.tracer_now() == "set"
    second = corodash("trace", "--attach", service.socket, "--duration", "1")
    assert second.returncode == 2
    assert second.stderr.strip() == (
        "corodash: cannot attach: another corodash client is attached to this process: "
        "detach it first"
    )
    first.process.kill()
    first.process.wait()
    service.wait_for(lambda: service.tracer_now() == "none")
    again = corodash(
        "trace", "--attach", service.socket, "--duration", "0.3", "--out", str(tmp_path / "a.cdrec")
    )
    assert again.returncode == 0, again.stderr


def test_a_service_that_exits_while_attached_ends_the_trace_with_what_was_recorded(tmp_path):
    short = Service(seconds=1.5)
    try:
        out = tmp_path / "short.jsonl"
        done = corodash("trace", "--attach", short.socket, "--duration", "30", "--out", str(out))
        assert done.returncode == 0, done.stderr
        assert "corodash: the process ended (or closed the connection) while attached" in (
            done.stderr
        )
        events = read_trace(out)
        assert events[-1]["status"] == "ended" and any(e["kind"] == "switch" for e in events)
    finally:
        short.stop()


def test_targets_that_cannot_be_attached_get_one_line_each(tmp_path):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        # a socket an earlier process with the same pid left (killed, it could not remove
        # it): older than the sleeper, so not its listener
        reused = socket_path(sleeper.pid)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(reused)
        left = socket.socket(socket.AF_UNIX)
        left.bind(reused)
        left.close()
        os.utime(reused, (time.time() - 3600, time.time() - 3600))
        silent = corodash("trace", "--attach", str(sleeper.pid), "--duration", "1")
        assert not os.path.exists(reused)
        assert silent.stderr.strip() == (
            f"corodash: cannot attach: process {sleeper.pid} is not listening: "
            "it must call corodash.listen() first"
        )
    finally:
        sleeper.kill()
        sleeper.wait()
    gone = corodash("repl", "--attach", str(sleeper.pid))
    assert gone.stderr.strip() == f"corodash: cannot attach: no process {sleeper.pid}"
    stale = tmp_path / "stale.sock"
    left = socket.socket(socket.AF_UNIX)
    left.bind(str(stale))
    left.close()  # bound, never listening: the socket file of a process that has gone
    refused = corodash("trace", "--attach", str(stale), "--duration", "1")
    assert "nobody listens there any more (a stale socket" in refused.stderr
    missing = corodash("repl", "--attach", str(tmp_path / "nothing.sock"))
    assert missing.stderr.strip().endswith("nothing.sock: no such socket")
    no_hub = subprocess.Popen(
        [sys.executable, "-c", NO_HUB, str(tmp_path / "plain.sock")], stdout=subprocess.PIPE
    )
    try:
        assert no_hub.stdout is not None and no_hub.stdout.readline().startswith(b"listening")
        hubless = corodash("trace", "--attach", str(tmp_path / "plain.sock"), "--duration", "1")
        assert hubless.stderr.strip() == (
            "corodash: cannot attach: the process runs no gevent hub in the thread that "
            "called listen()"
        )
    finally:
        no_hub.kill()
        no_hub.wait()
    for done in (silent, gone, refused, missing, hubless):
        assert done.returncode == 2


def test_the_socket_folder_must_be_private(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    (tmp_path / f"corodash-{os.getuid()}").symlink_to(elsewhere)
    with pytest.raises(ListenError, match="symlink"):
        runtime_dir()
    (tmp_path / f"corodash-{os.getuid()}").unlink()
    Path(tmp_path / f"corodash-{os.getuid()}").mkdir(mode=0o755)
    os.chmod(tmp_path / f"corodash-{os.getuid()}", 0o755)
    with pytest.raises(ListenError, match="not private"):
        runtime_dir()


@pytest.mark.skipif(sys.version_info < (3, 14), reason="sys.remote_exec is Python 3.14+")
def test_a_process_that_never_listened_is_asked_to_through_remote_exec(tmp_path):
    plain = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import gevent\nprint('up', flush=True)\nwhile 1: gevent.sleep(0.01)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert plain.stdout is not None and plain.stdout.readline() == "up\n"
        out = tmp_path / "plain.cdrec"
        done = corodash("trace", "--attach", str(plain.pid), "--duration", "0.5", "--out", str(out))
        assert done.returncode == 0, done.stderr
        assert read_trace(out)[-1]["status"] == "detached"
    finally:
        plain.kill()
        plain.wait()
