"""Exports of a run's trace: whole, reported as they go, cancellable without leftovers,
and in the dashboard off the UI's thread."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from dashboard_helpers import dashboard, notifications, until
from test_dashboard import app_for

from corodash.export import ExportCancelled, export_run
from corodash.protocol import SPAWN, YIELD
from corodash.recording_file import RecordingWriter
from corodash.records import FORM_BINARY, RECORD, VALUE_INT, tuple_record
from corodash.trace_format import read_trace


def _recording(tmp_path: Path, count: int, closed: bool = True) -> Path:
    """A generator's spawn and ``count`` small yields, written whole; left without its
    index (as the dashboard's is while its program runs) unless ``closed``."""
    path = tmp_path / "run.cdrec"
    writer = RecordingWriter(path)
    writer.begin({"t0": 0.0, "script": "prog.py"})
    spawn = (SPAWN, 0.0, 1, "gen", "generator", 0, "prog.py", 3, "gen")
    writer.write_records(tuple_record(spawn), [spawn])
    yields = b"".join(
        RECORD.pack(i / 1e6, YIELD, FORM_BINARY, VALUE_INT, 1, i, 4) for i in range(count)
    )
    writer.write_records(yields, [])
    if closed:
        writer.close()
    return path


@pytest.mark.parametrize("closed", [True, False])
def test_an_export_writes_every_event_and_reports_its_progress(tmp_path: Path, closed: bool):
    recording = _recording(tmp_path, 100_000, closed)
    folder = tmp_path / "out"
    folder.mkdir()
    seen: list[tuple[str, float]] = []
    name, chrome, count = export_run(
        str(recording), str(folder), progress=lambda *p: seen.append(p)
    )
    events = read_trace(name)
    assert count == 100_001
    assert [e["seq"] for e in events] == list(range(100_001))
    assert [e["value"] for e in events[1:]] == [str(i) for i in range(100_000)]
    assert json.loads(Path(chrome).read_text())["traceEvents"][0]["args"] == {"name": "prog.py"}
    written = [done for what, done in seen if what == "writing JSON Lines"]
    assert len(written) > 1 and written == sorted(written) and 0 < written[-1] < 1
    assert [what for what, _ in seen][-1] == "building the timeline"
    assert sorted(os.listdir(folder)) == sorted([os.path.basename(name), os.path.basename(chrome)])


@pytest.mark.parametrize("looks_before_cancel", [1, 30])
def test_a_cancelled_export_leaves_no_file(tmp_path: Path, looks_before_cancel: int):
    """Cancelled while the JSONL is written, or while the timeline is (the JSONL done)."""
    recording = _recording(tmp_path, 100_000)
    folder = tmp_path / "out"
    folder.mkdir()
    looks = []

    def cancelled() -> bool:
        looks.append(1)
        return len(looks) > looks_before_cancel

    with pytest.raises(ExportCancelled):
        export_run(str(recording), str(folder), cancelled=cancelled)
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
