"""Exports of a run's trace: whole, reported as they go, cancellable without leftovers,
and in the dashboard off the UI's thread."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from dashboard_helpers import dashboard, notifications, until
from test_dashboard import app_for

from corodash.export import ExportCancelled, export_trace
from corodash.trace_format import TraceWriter, read_trace


def _trace(tmp_path: Path, count: int) -> Path:
    path = tmp_path / "run.jsonl"
    writer = TraceWriter(path)
    writer.write(
        [
            {"seq": i, "t": i / 1e6, "kind": "yield", "task": 1, "name": "gen", "value": repr(i)}
            for i in range(count)
        ]
    )
    writer.close()
    return path


def test_an_export_copies_every_event_and_reports_its_progress(tmp_path: Path):
    trace = _trace(tmp_path, 100_000)
    folder = tmp_path / "out"
    folder.mkdir()
    seen: list[tuple[str, float]] = []
    name, chrome = export_trace(
        str(trace), "prog.py", str(folder), progress=lambda *p: seen.append(p)
    )
    assert Path(name).read_bytes() == trace.read_bytes()
    assert [e["seq"] for e in read_trace(name)] == list(range(100_000))
    assert json.loads(Path(chrome).read_text())["traceEvents"][0]["args"] == {"name": "prog.py"}
    copied = [done for what, done in seen if what == "copying the trace"]
    assert len(copied) > 1 and copied == sorted(copied) and copied[-1] == 1.0
    assert sorted(os.listdir(folder)) == sorted([os.path.basename(name), os.path.basename(chrome)])


def test_a_cancelled_export_leaves_no_file(tmp_path: Path):
    trace = _trace(tmp_path, 100_000)
    folder = tmp_path / "out"
    folder.mkdir()
    looks = []

    def cancelled() -> bool:
        looks.append(1)
        return len(looks) > 1  # after the first piece

    with pytest.raises(ExportCancelled):
        export_trace(str(trace), "prog.py", str(folder), cancelled=cancelled)
    assert os.listdir(folder) == []


async def test_the_dashboard_exports_in_a_worker_and_shows_why_it_could_not(
    tmp_path: Path, monkeypatch
):
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()  # the working folder is deleted (read-only folders do not stop root)
    app = app_for("round_robin", run=True)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = dashboard(pilot)
        await until(pilot, lambda: screen.run_state == "idle")
        await pilot.press("e")
        await until(pilot, lambda: any("could not export" in n for n in notifications(app)))
        assert "No such file or directory" in next(n for n in notifications(app) if "export" in n)
        assert screen.job == ""
        assert not [w for w in screen.workers if w.group == "export" and w.is_running]
        await pilot.press("p")  # the keys still answer
        await until(pilot, lambda: any("nothing to pause" in n for n in notifications(app)))
