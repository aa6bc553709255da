"""One readable line per trace event ("fib yielded 3", "switch ping -> pong")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def describe(event: Mapping[str, Any], names: Mapping[int, str]) -> str:
    """``names`` maps task ids to the labels shown to the user."""
    kind = event["kind"]
    name = names.get(event["task"], event["name"]) if event["task"] is not None else event["name"]
    if kind == "spawn":
        return f"new {event['task_kind']} {name}"
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
        return f"{name} printed: {event['text']}"
    if kind == "patch":
        state = "applied" if event["applied"] else "skipped (patch mode off)"
        return f"monkey patch {event['what']}: {state}"
    if kind == "end":
        detail = f" ({event['error']})" if event.get("error") else ""
        return f"program {event['status']}, exit status {event.get('exit_code')}{detail}"
    if kind == "block":
        return f"{name} blocked the hub for {event['seconds']:.3f}s at {event['where']}"
    return f"{kind} {name}"
