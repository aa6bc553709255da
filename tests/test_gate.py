"""The agent's pause points: a pause asked for while nothing runs must not linger."""

from __future__ import annotations

import threading
import time

from corodash.agent.gate import Gate
from corodash.agent.program_clock import ProgramClock


def test_a_pause_asked_at_a_pause_point_is_refused_and_holds_nothing():
    sent: list[tuple] = []
    gate = Gate(sent.append, lambda frame: {}, ProgramClock(), lambda: None, lambda: None, None)
    waiting = threading.Event()
    worker = threading.Thread(target=lambda: (waiting.set(), gate.idle()))
    gate.main_thread = None  # the waits below run on the worker thread
    worker.start()
    waiting.wait()
    deadline = time.monotonic() + 10
    while not gate.stopped:
        assert time.monotonic() < deadline, "the worker never reached its pause point"
        time.sleep(0.001)
    assert gate.request_pause() is False
    assert gate.hold is False

    held: list[bool] = []
    done = threading.Event()

    def job() -> None:
        held.append(gate.request_pause())  # a drive command running: pausable
        done.set()

    gate.submit(job)
    done.wait(5)
    assert held == [True] and gate.hold is True
    gate.hold = False
    gate._stops[-1].waiting = False
    gate._wake_up()
    worker.join(5)
