"""One run of a program as a controller sees it: its state, its tasks, and its answers.

UI-free, shared by ``repl`` and the dashboard. Whatever thread or loop delivers the session's
messages hands each to :meth:`RunClient.handle`; the client folds it into the run's state, the
model of its tasks and the replies awaited. Requests are matched to replies by id, and a stop
is matched to a request by the agent's message numbers: a controller waits for "a stop newer
than my request", never for one particular message, so no message can be missed in between.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from corodash.model import RunModel, TaskRow
from corodash.protocol import IDLE, PAUSED, RUNNING
from corodash.session import AgentSession, Listener, Reply, RunOptions

ENDED = "ended"
STOPPED = (PAUSED, IDLE, ENDED)
"""States in which the program waits for the user (or is gone)."""

VERBS: dict[str, tuple[str, ...]] = {
    "next": ("generator", "iterator"),
    "send": ("generator",),
    "throw": ("generator",),
    "close": ("generator",),
    "switch": ("greenlet",),
}
"""Which kinds of task each drive command applies to: the one table of it."""

FINISHED_PHRASES = {
    "finished": "has finished",
    "failed": "has failed",
    "closed": "is closed",
    "dead": "is dead",
}

Then = Callable[[Reply], None]


class RunClient:
    """The controller's side of one run, without any UI."""

    def __init__(
        self, options: RunOptions, listener: Listener, started: AgentSession | None = None
    ) -> None:
        """``started``: a session already running (the dashboard starts its first agent
        before it loads Textual)."""
        self.options = options
        self.session = started or AgentSession(options, listener)
        self.model = RunModel()
        self.state = "starting"
        self.position: dict[str, Any] = {}
        self.stop_seq = 0
        """Message number of the latest stop (pause, idle or end)."""
        self.reading = False
        """The program waits for a line on its stdin (``send_input`` gives it one)."""
        self.top_level: dict[str, Any] | None = None
        self.end: dict[str, Any] | None = None
        self.replies: dict[int, Reply] = {}
        self._then: dict[int, Then] = {}

    # -- state ---------------------------------------------------------------------------

    @property
    def stopped(self) -> bool:
        return self.state in STOPPED

    @property
    def ended(self) -> bool:
        return self.state == ENDED

    def stopped_after(self, seq: int) -> bool:
        """The program stopped (or ended) after the message numbered ``seq``."""
        return self.ended or (self.stopped and self.stop_seq > seq)

    def program_time(self) -> float:
        return self.session.program_time()

    # -- messages ------------------------------------------------------------------------

    def handle(self, what: str, payload: Any) -> None:
        """Fold one message from the session in (on the controller's own thread)."""
        if what == "events":
            self.model.apply_all(payload)
        elif what == "state":
            self.state, self.position = payload
            self.reading = bool(self.position.get("reading"))
            if self.state != RUNNING:
                self.stop_seq = self.position.get("seq", self.stop_seq)
        elif what == "reply":
            self._replied(payload)
        elif what == "toplevel":
            self.state, self.top_level = IDLE, payload
        elif what == "ended":
            self.state, self.end = ENDED, payload
            self._then.clear()

    def _replied(self, reply: Reply) -> None:
        then = self._then.pop(reply.id, None)
        if then is None:
            self.replies[reply.id] = reply
        else:
            then(reply)

    # -- requests ------------------------------------------------------------------------

    def request(self, name: str, *args: Any, then: Then | None = None) -> int:
        """Send a command; its reply goes to ``then``, or waits in ``replies`` under the
        returned id. Raises ConnectionError when the program has ended."""
        if self.ended:
            raise ConnectionError("the program has ended")
        ident = self.session.send(name, *args)
        if then is not None:
            self._then[ident] = then
        return ident

    def send_input(self, text: str) -> None:
        """A line for the program's ``input()``. Raises ConnectionError once it has ended."""
        if self.ended:
            raise ConnectionError("the program has ended")
        self.session.send_input(text)
        self.reading = False

    def drive_error(self, row: TaskRow | None, verb: str) -> str | None:
        """Why ``verb`` cannot apply to ``row``, in Python's terms; None when it can."""
        if row is None:
            return f"no task to {verb}: there is none yet"
        kinds = VERBS[verb]
        if row.kind == "gevent" and verb == "switch":
            return (
                f"{row.label} is a gevent Greenlet: switching into it would bypass gevent's "
                "hub, which schedules it; run to its next event instead (u; repl: until)"
            )
        if row.kind not in kinds:
            what = " or ".join(kinds)
            return (
                f"{row.label} is {_article(row.kind)} {row.kind}: "
                f"{verb} applies to {_article(what)} {what}"
            )
        if row.finished and verb != "close":
            phrase = FINISHED_PHRASES.get(row.state, f"is {row.state}")
            return f"{row.label} {phrase}: {verb} cannot resume it"
        if self.ended:
            return "the program has ended: nothing can be driven any more"
        if self.state == RUNNING:
            return "the program is running: pause it first"
        return None

    def status(self) -> dict[str, Any]:
        """Where the run stands, for an answer."""
        fields: dict[str, Any] = {"state": self.state}
        if self.reading and self.state == RUNNING:
            fields["reading"] = True  # waiting for a line on its stdin
        if self.state == PAUSED:
            fields["position"] = self.position
        if self.state in (IDLE, ENDED):
            end = self.session.end or self.top_level
            if end:
                fields["status"] = {k: end.get(k) for k in ("status", "exit_code", "error")}
        return fields


def _article(word: str) -> str:
    return "an" if word[:1] in ("a", "e", "i", "o", "u") else "a"
