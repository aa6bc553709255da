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


def test_a_pause_asked_while_the_main_thread_leaves_its_pause_point_is_kept():
    """Told to go on, the main thread may take long to leave (a loaded machine): a pause
    asked for meanwhile must still stop it (it was lost: the controller then waited 30 s)."""
    sent: list[tuple] = []
    gate = Gate(sent.append, lambda frame: {}, ProgramClock(), lambda: None, lambda: None, None)
    woken = threading.Event()
    go_on = threading.Event()

    class SlowToWake:
        """The pause point's lock, with the main thread held right after it wakes."""

        def __init__(self, lock) -> None:
            self.lock = lock

        def acquire(self) -> bool:
            self.lock.acquire()
            if gate._stops and not gate._stops[-1].waiting:
                woken.set()
                go_on.wait(5)
            return True

        def release(self) -> None:
            self.lock.release()

        def locked(self) -> bool:
            return self.lock.locked()

    gate._wake = SlowToWake(gate._wake)  # type: ignore[assignment]
    gate.main_thread = None
    worker = threading.Thread(target=lambda: gate.wait("paused", None, can_drive=True))
    worker.start()
    deadline = time.monotonic() + 10
    while not gate.stopped:
        assert time.monotonic() < deadline, "the worker never reached its pause point"
        time.sleep(0.001)
    gate.resume()
    woken.wait(5)
    assert gate.stopped  # still at its pause point, on its way out
    assert gate.request_pause() is True and gate.hold is True
    go_on.set()
    worker.join(5)
