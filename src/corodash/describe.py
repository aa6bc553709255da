"""One readable line per trace event ("fib yielded 3", "switch ping -> pong")."""

from __future__ import annotations

import os
from collections.abc import Container, Mapping
from typing import Any

CONTROL_ESCAPES = {
    code: f"\\x{code:02x}" for code in (*range(0x20), 0x7F, 0x85) if code != 0x09
} | {0x2028: "\\u2028", 0x2029: "\\u2029"}
"""Characters a terminal would act on (or a log would split a line at), shown escaped."""
LOCALS_LINE = 300
"""A recorded set of locals is told in one line of at most this many characters."""


def printable(text: str) -> str:
    """``text`` safe to show in a pane: escape sequences and carriage returns escaped, so a
    program's output can never move the cursor or wipe the screen."""
    return text if text.isprintable() else text.translate(CONTROL_ESCAPES)


def describe(
    event: Mapping[str, Any], names: Mapping[int, str], iterators: Container[int] = ()
) -> str:
    """``names`` maps task ids to the labels shown to the user; ``iterators`` holds the ids
    of iterator tasks, whose events are told in the terms of ``__next__``."""
    kind = event["kind"]
    name = names.get(event["task"], event["name"]) if event["task"] is not None else event["name"]
    if kind == "spawn":
        return f"new {event['task_kind']} {name}"
    if event["task"] in iterators:
        if kind == "yield":
            return f"{name} returned {event['value']} from __next__"
        if kind == "return":
            return f"{name} raised StopIteration: exhausted"
        if kind == "resume":
            return f"next({name}): __next__ called"
    if kind == "yield":
        return f"{name} yielded {event['value']}"
    if kind == "resume":
        if event.get("thrown"):
            return f"{name} resumed by throw({event['thrown']})"
        sent = event.get("sent")
        return f"{name} resumed" + (f" with send({sent})" if sent not in (None, "None") else "")
    if kind == "return":
        value = event.get("value")
        return f"{name} returned" + (f" {value}" if value is not None else "")
    if kind == "raise":
        return f"{name} raised {event['error']}"
    if kind == "switch":
        origin = names.get(event["from"], str(event["from"]))
        verb = "throw" if event.get("thrown") else "switch"
        return f"{verb} {origin} -> {name}"
    if kind == "output":
        return f"{name} printed: {printable(event['text'])}"
    if kind == "patch":
        state = "applied" if event["applied"] else "skipped (patch mode off)"
        return f"monkey patch {event['what']}: {state}"
    if kind == "end":
        detail = f" ({event['error']})" if event.get("error") else ""
        return f"program {event['status']}, exit status {event.get('exit_code')}{detail}"
    if kind == "diagnostic":
        return f"corodash: {event['message']}"
    if kind == "locals":
        shown = ", ".join(f"{key}={value}" for key, value in event["locals"].items())
        return f"{name} at line {event['line']}: {shown or 'no locals'}"[:LOCALS_LINE]
    if kind == "block":
        return f"{name} blocked the hub for {event['seconds']:.3f}s at {event['where']}"
    return f"{kind} {name}"


WAITING_FOR = {
    "generator": "next() or send()",
    "iterator": "the next next()",
    "greenlet": "a switch() into it",
    "gevent": "gevent's hub to switch back into it",
}


def suspension(kind: str, state: str, line: int | None) -> str | None:
    """What a suspended task waits for, in the words a learner needs ("suspended at line 4,
    waiting for next() or send()"); None for a task that is not suspended."""
    if state != "suspended":
        return None
    at = f" at line {line}" if line else ""
    return f"suspended{at}, waiting for {WAITING_FOR.get(kind, 'its next resume')}"


def break_text(found: Mapping[str, Any], names: Mapping[int, str]) -> str:
    """What a breakpoint stops at, in words ("a yield of worker('baker')")."""
    kind, task = found["kind"], found.get("task")
    who = names.get(task, f"task {task}") if task is not None else ""
    if kind == "line":
        return f"line {found['line']} of {os.path.basename(found['file'])}"
    return {
        "task": f"the next event of {who}",
        "yield": f"a yield of {who}",
        "switch": f"a switch into {who}",
        "block": "a greenlet holding gevent's hub up",
    }.get(kind, kind)
