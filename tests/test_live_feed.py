"""The dashboard's live stream: a batch folds into the model as every event would, only what
a pane can show is expanded, and the run's recording keeps every event in program time."""

from __future__ import annotations

import re
import time

import pytest
from dashboard_helpers import dashboard, until
from test_dashboard import app_for, program

from corodash.event_sources import RecordingSource
from corodash.live_feed import MIN_COLUMNS, LiveFeed, RecentEvents
from corodash.model import RunModel
from corodash.protocol import OUTPUT, SPAWN, SWITCH, YIELD
from corodash.records import FORM_BINARY, RECORD, VALUE_INT, RecordFilter, tuple_record
from corodash.session import RunOptions
from corodash.trace_format import TraceBuilder
from corodash.tui.app import CorodashApp
from corodash.tui.log_panes import KIND_FILTERS, LINES_PER_BATCH

T0 = 100.0


def _flood() -> tuple[bytes, list]:
    """Two greenlets and a generator spawned, 10,000 switches with a line of output and a
    few yields among them (whole and as tuples), then a short run of switches."""
    records, extras = [], []

    def add_tuple(event: tuple) -> None:
        records.append(tuple_record(event))
        extras.append(event)

    for task, name, kind in (
        (1, "ping", "greenlet"),
        (2, "pong", "greenlet"),
        (3, "gen", "generator"),
    ):
        add_tuple((SPAWN, T0, task, name, kind, 0, "prog.py", 3, name))
    for i in range(10_000):
        t = T0 + i / 1e6
        target, origin = (1, 2) if i % 2 else (2, 1)
        records.append(RECORD.pack(t, SWITCH, FORM_BINARY, 0, target, origin, 0))
        if i == 5_000:
            add_tuple((OUTPUT, t, 1, "stdout", "halfway"))
        if i % 2_500 == 0:
            records.append(RECORD.pack(t, YIELD, FORM_BINARY, VALUE_INT, 3, i, 7))
            add_tuple((YIELD, t, 3, f"'{i}'", 8))
    for i in range(10):
        records.append(RECORD.pack(T0 + 0.1, SWITCH, FORM_BINARY, 0, 1 + i % 2, 2 - i % 2, 0))
    return b"".join(records), extras


def _every_event(records: bytes, extras: list) -> tuple[list[dict], RunModel]:
    """The batch as the trace file has it, and the model folded one event at a time."""
    from corodash.records import decode

    builder = TraceBuilder(T0)
    events = builder.expand(decode(records, extras))
    model = RunModel()
    model.apply_all(events)
    return events, model


def _rows(model: RunModel) -> dict:
    return {
        "tasks": {tid: (row.as_dict(), row.last_value) for tid, row in model.tasks.items()},
        "counts": dict(model.counts),
        "last_t": model.last_t,
    }


def test_a_flood_folds_as_every_event_would_and_only_its_tail_and_tuples_are_expanded():
    records, extras = _flood()
    events, every = _every_event(records, extras)
    feed = LiveFeed(RunModel())
    folded = feed.fold(records, extras, T0, LINES_PER_BATCH)
    assert _rows(feed.model) == _rows(every)
    assert folded.last_events() == events[-LINES_PER_BATCH:]
    assert folded.skipped == len(events) - LINES_PER_BATCH
    expanded_before_tail = folded.events[:-LINES_PER_BATCH]
    # the tuples, and whole records in runs too short to fold as columns
    assert [(e["seq"], e["kind"]) for e in expanded_before_tail] == [
        *((0, "spawn"), (1, "spawn"), (2, "spawn")),
        *((3, "switch"), (4, "yield"), (5, "yield")),
        (2507, "yield"),
        *((5008, "output"), (5009, "yield"), (5010, "yield")),
        (7512, "yield"),
    ]
    assert all(e == events[e["seq"]] for e in folded.events)
    assert len(folded.events) == LINES_PER_BATCH + 11
    recent = RecentEvents(5_000)
    recent.add(folded.pieces)
    assert list(recent) == events[-5_000:]
    assert recent.at(len(events) - 5_000) == events[-5_000]
    assert recent.at(5) is None


def _pane_would_show(events: list[dict], keep, tail: int) -> tuple[list[dict], int]:
    """The events a pane filtered by ``keep`` shows of ``events`` (its last ``tail``), and
    how many more it counts."""
    shown = [e for e in events if keep(e)]
    return shown[-tail:], max(0, len(shown) - tail)


FILTERS = {
    "the generator": (RecordFilter(None, 3), lambda e: e["task"] == 3 or e.get("from") == 3),
    "ping (switches to and from it)": (
        RecordFilter(None, 1),
        lambda e: e["task"] == 1 or e.get("from") == 1,
    ),
    "generator kinds": (
        RecordFilter(KIND_FILTERS[1][1], None),
        lambda e: e["kind"] in KIND_FILTERS[1][1],
    ),
    "pong's switches": (
        RecordFilter(KIND_FILTERS[2][1], 2),
        lambda e: e["kind"] in KIND_FILTERS[2][1] and (e["task"] == 2 or e.get("from") == 2),
    ),
}


@pytest.mark.parametrize("name", FILTERS)
def test_with_a_filter_on_only_its_last_events_and_the_tuples_are_expanded(name):
    keep, keeps = FILTERS[name]
    records, extras = _flood()
    events, every = _every_event(records, extras)
    feed = LiveFeed(RunModel())
    tail = 30
    folded = feed.fold(records, extras, T0, tail, keep.whole_matches(records))
    assert _rows(feed.model) == _rows(every)
    lines, more = _pane_would_show(events, keeps, tail)
    shown = [e for e in folded.last_events() if keeps(e)]
    assert shown[-tail:] == lines
    assert folded.skipped + max(0, len(shown) - tail) == more
    assert all(e == events[e["seq"]] for e in folded.events)
    assert len(folded.events) < tail + 2 * MIN_COLUMNS + len(extras)  # not the 10,000


def test_a_filter_reads_from_records_which_whole_events_it_shows():
    """A task's id anywhere in a record (a yield's value, another field) is not a match:
    only the task, and a switch's origin."""
    big = 0x01000001
    records = b"".join(
        [
            RECORD.pack(1.0, SWITCH, FORM_BINARY, 0, big, 7, 0),
            RECORD.pack(1.0, SWITCH, FORM_BINARY, 0, 7, big, 0),
            RECORD.pack(1.0, SWITCH, FORM_BINARY, 0, 7, 1, 0),
            RECORD.pack(1.0, YIELD, FORM_BINARY, VALUE_INT, 7, big, big),
            RECORD.pack(1.0, YIELD, FORM_BINARY, VALUE_INT, big, 5, 9),
            RECORD.pack(1.0, SWITCH, FORM_BINARY, 0, 1, 0x00010000, 0),
            tuple_record((OUTPUT, 1.0, big, "stdout", "tuples are always expanded")),
        ]
    )
    assert RecordFilter(None, big).whole_matches(records) == bytes([1, 1, 0, 0, 1, 0, 0])
    assert RecordFilter(frozenset({"yield"}), big).whole_matches(records) == bytes(
        [0, 0, 0, 0, 1, 0, 0]
    )
    assert RecordFilter(frozenset({"switch"}), None).whole_matches(records) == bytes(
        [1, 1, 1, 0, 0, 1, 0]
    )


def test_batches_fold_on_from_where_the_last_one_ended():
    records, extras = _flood()
    events, every = _every_event(records + records, extras + extras)
    feed = LiveFeed(RunModel())
    feed.fold(records, extras, T0, LINES_PER_BATCH)
    second = feed.fold(records, extras, T0, LINES_PER_BATCH)
    assert second.last_events() == events[-LINES_PER_BATCH:]
    assert _rows(feed.model) == _rows(every)


async def test_the_dashboard_keeps_a_floods_every_event_and_shows_its_last():
    app = CorodashApp(RunOptions(program("many_switches"), ["200000"]))
    async with app.run_test(size=(120, 36)) as pilot:
        screen = dashboard(pilot)
        await until(pilot, lambda: screen.run_state == "idle", timeout=30)
        counts = screen.model.counts
        assert counts["switch"] >= 200_000
        source = RecordingSource(screen.bridge.trace_path)
        assert source.count() == sum(counts.values())
        last = source.read(source.count() - 3, source.count())
        assert [e["seq"] for e in last] == [source.count() - 3 + i for i in range(3)]
        lines = screen.panes.events.lines
        assert any(" more events (all in the trace" in line for line in lines)
        assert len(screen.panes.recent) == 50_000


async def test_the_recording_leaves_out_the_time_spent_stopped():
    app = app_for("echo_send")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = dashboard(pilot)
        await until(pilot, lambda: screen.run_state == "paused")
        seen = sum(screen.model.counts.values())
        time.sleep(0.5)  # the user reading the stop: the scenario itself, not a wait
        await pilot.press("space")
        await until(
            pilot,
            lambda: sum(screen.model.counts.values()) > seen and screen.run_state == "paused",
        )
        shown = list(screen.panes.recent)
        recorded = RecordingSource(screen.bridge.trace_path)
        await until(pilot, lambda: recorded.count() == len(shown))
        kept = recorded.read(0, recorded.count())
        assert [e["t"] for e in kept] == [e["t"] for e in shown]
        assert kept[-1]["t"] - kept[-2]["t"] < 0.5 / 2  # not the half second spent stopped


async def test_a_dashboard_filtered_in_a_flood_shows_the_last_events_the_filter_keeps():
    app = CorodashApp(RunOptions(program("many_switches"), ["200000"], step=True))
    async with app.run_test(size=(120, 36)) as pilot:
        screen = dashboard(pilot)
        await until(pilot, lambda: screen.run_state == "paused")
        await pilot.press("k", "k", "c")  # generators, then switches; continue
        assert screen.panes.title == "switches"
        await until(pilot, lambda: screen.run_state == "idle", timeout=30)
        source = RecordingSource(screen.bridge.trace_path)
        await until(pilot, lambda: source.count() == sum(screen.model.counts.values()))
        events = source.read(0, source.count())
        switches = [e["seq"] for e in events if e["kind"] == "switch"]
        assert len(switches) >= 200_000
        lines = screen.panes.events.lines
        numbered = [int(line.split()[0]) for line in lines if line.split()[0].isdigit()]
        assert numbered[-50:] == switches[-50:]
        assert all(events[seq]["kind"] in ("spawn", "switch") for seq in numbered)
        assert any(" more events (all in the trace" in line for line in lines)


async def test_the_events_pane_on_screen_follows_a_flood_past_its_window():
    """Once the pane holds its window of lines, each batch moves every line on show up: the
    screen must show the newest lines, not the rows drawn when the window filled."""
    app = CorodashApp(RunOptions(program("many_switches"), ["200000"], step=True))
    async with app.run_test(size=(120, 36)) as pilot:
        screen = dashboard(pilot)
        await until(pilot, lambda: screen.run_state == "paused")
        screen.panes.events.max_lines = 250  # full after two batches, not 25
        await pilot.press("c")
        await until(pilot, lambda: screen.run_state == "idle", timeout=30)
        await pilot.pause()
        switches = [line.split()[0] for line in screen.panes.events.lines if " switch " in line]
        drawn = re.findall(r"(\d+)&#160;switch&#160;", app.export_screenshot())
        assert drawn[-3:] == switches[-3:]
