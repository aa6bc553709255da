"""The agent's two pipes: batched events out, commands in.

Tracers record events into ``Channel.buffer``, the compiled recorder's bounded ring of
24-byte records (a switch is recorded with no Python object; see records.py), or without
the compiled module a list of tuples behind the same interface. A real OS thread drains it
every few milliseconds, shows each batch to its watchers (blocking detection), and writes
it as one frame of records and tuples. Other messages go through ``send``, which
flushes pending events first so the controller sees everything in the order it happened.
"""

from __future__ import annotations

from os import _exit  # the real one: the agent wraps os._exit (forking.py)
from time import perf_counter

from corodash.agent.accelerator import speedups
from corodash.agent.originals import allocate_lock, read, sleep, start_new_thread, writev
from corodash.protocol import REPLY, STATE, Command, FrameReader, encode_frame, events_frame
from corodash.records import Batch, tuple_records

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

FLUSH_INTERVAL = 0.005
"""How soon the channel looks again while events trickle in; the shortest a watcher gets."""
SLOW_INTERVAL = 0.02
"""How soon it looks again after a flood, or when nothing happened, unless a watcher asks
sooner. Each look takes the GIL from a busy program, a stall of the traced thread (a wake-up
on another core, then one back): a flood is sent in larger batches, and a program that
records nothing is left alone."""
FLOOD = 4_096
"""Records in one flush that make it a flood."""
MAX_BATCH = 65_536
RING_CAPACITY = 262_144
"""Records the compiled recorder holds (6 MiB) before the traced thread waits for the
channel: memory stays bounded however fast the program records."""


class ListRecorder:
    """The recorder without the compiled module: a list of event tuples, taken as records
    made on the channel's thread."""

    def __init__(self) -> None:
        self.events: list[tuple] = []
        self.append = self.events.append

    def __len__(self) -> int:
        return len(self.events)

    def take(self, most: int) -> tuple[bytes, list[tuple]] | None:
        events = self.events
        batch = events[:most]
        del events[:most]
        return (tuple_records(batch), batch) if batch else None

    def last(self) -> tuple | None:
        return self.events[-1] if self.events else None

    def clear(self) -> None:
        self.events.clear()

    def silence(self) -> None:
        self.clear()

    def set_drainer(self) -> None:
        """Only the compiled ring is bounded: nobody waits for room here."""


def new_recorder() -> Any:
    if speedups is not None:
        return speedups.Recorder(RING_CAPACITY)
    return ListRecorder()


class Channel:
    """Events and messages from the agent to the controller."""

    def __init__(self, fd: int, on_lost: Callable[[], None] | None = None) -> None:
        """``on_lost``: called when the controller has gone (a write failed); without it
        the process exits, as a traced script's agent must (an attached service must not)."""
        self.fd = fd
        self.on_lost = on_lost
        self.buffer = new_recorder()
        self.on_tick: list[Callable[[float], float | None]] = []
        """Watchers called at each look, on this channel's thread, with the time; one may
        return the seconds until it needs the next look (at least FLUSH_INTERVAL)."""
        self.on_batch: list[Callable[[Batch], None]] = []
        """Watchers that see each batch of events, on this channel's thread, before it is sent."""
        self._lock = allocate_lock()
        self._running = False
        self._last_sent: Batch | None = None
        self._message_seq = 0

    def start(self) -> None:
        self._running = True
        start_new_thread(self._flush_loop, ())

    def silence(self) -> None:
        """In a forked child: nothing recorded or sent from here on belongs to the run."""
        self._running = False
        self.fd = -1
        self.buffer.silence()

    def stop(self) -> None:
        """An attachment ends: send what is left, then the flushing thread ends. Events
        recorded later (a tracer whose removal the hub has not run yet) are dropped: with no
        thread draining them, a full buffer would otherwise hold the program up."""
        self._running = False
        with self._lock:
            self._flush_locked()
            self.fd = -1
            self.buffer.silence()

    def _flush_loop(self) -> None:
        self.buffer.set_drainer()
        interval = FLUSH_INTERVAL
        while self._running:
            sleep(interval)
            sent = self.flush()
            now = perf_counter()
            interval = FLUSH_INTERVAL if 0 < sent < FLOOD else SLOW_INTERVAL
            for tick in self.on_tick:
                try:
                    wanted = tick(now)
                except Exception:  # a watcher's failure must not stop the flushing
                    continue
                if wanted is not None:
                    interval = min(interval, max(wanted, FLUSH_INTERVAL))

    def flush(self) -> int:
        """Send every event recorded so far; how many there were."""
        with self._lock:
            return self._flush_locked()

    def send(self, message: tuple) -> None:
        """Send a message after every event recorded so far. States and replies carry a
        message number as their last item: the controller waits for "a stop newer than my
        request" by it, never for one particular message."""
        with self._lock:
            self._flush_locked()
            if message[0] in (STATE, REPLY):
                self._message_seq += 1
                message = (*message, self._message_seq)
            self._write(encode_frame(message))

    def last_event(self) -> tuple | None:
        """The event recorded last (by the calling thread, when called right after it)."""
        last = self.buffer.last()
        if last is None and self._last_sent is not None:  # just sent
            return self._last_sent.last()
        return last

    def _flush_locked(self) -> int:
        """Send what was recorded when the flush began, in one write. Not "until empty": a
        busy program records while the write runs, and draining that too kept this thread
        taking the GIL back from it after every write, a stall of the traced thread each."""
        take = self.buffer.take
        left = sent = len(self.buffer)
        parts: list[bytes] = []
        while left > 0 and (taken := take(min(left, MAX_BATCH))) is not None:
            batch = self._last_sent = Batch(*taken)
            left -= len(batch)
            for watch in self.on_batch:
                try:
                    watch(batch)
                except Exception:  # a watcher's failure must not stop the events
                    continue
            parts.extend(events_frame(batch.records, batch.extras))
        if parts:
            self._write(*parts)
        return sent

    def _write(self, *parts: bytes) -> None:
        if self.fd < 0:
            self.buffer.clear()
            return
        views = [memoryview(part) for part in parts]
        try:
            while views:
                written = writev(self.fd, views)
                while views and written >= len(views[0]):
                    written -= len(views.pop(0))
                if written:
                    views[0] = views[0][written:]
        except OSError:
            if self.on_lost is None:
                # The controller is gone: nobody will read what this process does next.
                _exit(70)
            self.fd = -1
            self.buffer.clear()
            self.on_lost()


class CommandReader:
    """Reads commands, one a frame, on a real OS thread and hands each to ``handle``."""

    def __init__(
        self,
        fd: int,
        handle: Callable[[Command], None],
        on_closed: Callable[[], None] | None = None,
    ) -> None:
        """``on_closed``: called when the controller closes its end; without it the
        process exits (a traced script's agent)."""
        self.fd = fd
        self.handle = handle
        self.on_closed = on_closed

    def start(self) -> None:
        start_new_thread(self._read_loop, ())

    def _read_loop(self) -> None:
        frames = FrameReader()
        while True:
            try:
                chunk = read(self.fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                if self.on_closed is None:
                    _exit(70)  # the controller closed the pipe: it has gone away
                self.on_closed()
                return
            for message in frames.feed(chunk):
                self.handle(Command.decode(message))
