"""The session API the dashboard builds on: pause a program that never yields, drive it
there, stop it, and see an agent that dies reported without hanging."""

from __future__ import annotations

import queue
import time

from conftest import program

from corodash.session import AgentSession, QueueListener, RunOptions


def next_message(listener: QueueListener, want: str, timeout: float = 10) -> object:
    deadline = time.monotonic() + timeout
    while True:
        what, payload = listener.queue.get(timeout=max(0.01, deadline - time.monotonic()))
        if what == want:
            return payload


def test_pause_interrupts_a_loop_that_never_yields_and_stop_keeps_every_event():
    listener = QueueListener()
    session = AgentSession(RunOptions(program("never_yields"), stay=True), listener)
    session.start()
    try:
        events = next_message(listener, "events")
        assert events[0]["text"] == "spinning"
        session.send("pause")
        state, where = next_message(listener, "state")
        assert state == "paused"
        assert where["line"] in (3, 4) and where["file"].endswith("never_yields.py")
        session.send("tasks")
        reply = next_message(listener, "reply")
        assert reply.ok and reply.data["tasks"][0]["state"] == "running"
    finally:
        session.stop()
    assert session.wait(5)
    assert session.end["status"] == "stopped"


def test_a_killed_agent_is_reported_and_nothing_hangs():
    listener = QueueListener()
    session = AgentSession(RunOptions(program("never_yields"), stay=True), listener)
    session.start()
    next_message(listener, "events")
    session.kill()
    end = next_message(listener, "ended")
    assert end["status"] == "killed" and end["exit_code"] == -9
    assert session.wait(1)
    try:
        session.send("tasks")
    except ConnectionError as error:
        assert "ended" in str(error)
    else:
        raise AssertionError("sending to a dead agent must fail")
    assert listener.queue.empty()  # "ended" was the last message: nothing comes after it


def test_no_message_is_lost_between_pipes():
    listener = QueueListener()
    session = AgentSession(RunOptions(program("many_tasks")), listener)
    session.start()
    seqs: list[int] = []
    while True:
        try:
            what, payload = listener.queue.get(timeout=30)
        except queue.Empty:
            raise AssertionError("the run did not end") from None
        if what == "events":
            seqs.extend(e["seq"] for e in payload)
        if what == "ended":
            break
    assert seqs == list(range(len(seqs)))
    # 20,000 x (spawn, resume, yield) of `one`; the genexpr's spawn, 20,001 resumes,
    # 20,000 yields and return; one output line; the end.
    assert len(seqs) == 20000 * 3 + (1 + 20001 + 20000 + 1) + 1 + 1
