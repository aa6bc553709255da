"""repl's answers as text, for people (``--json`` prints the same fields as JSON)."""

from __future__ import annotations

import json
from typing import Any

from corodash.describe import break_text, describe
from corodash.model import TaskLabels
from corodash.protocol import IDLE, PAUSED


def json_answer(ok: bool, events: list[dict[str, Any]], fields: dict[str, Any], error: str) -> str:
    """One answer of ``--json``, as its line: ``ok``, ``events``, the fields, ``error``."""
    answer: dict[str, Any] = {"ok": ok, "events": events, **fields}
    if not ok:
        answer["error"] = error
    return json.dumps(answer) + "\n"


def text_answer(
    ok: bool,
    events: list[dict[str, Any]],
    fields: dict[str, Any],
    error: str,
    labels: TaskLabels,
) -> str:
    lines = [f"  [{e['seq']}] {describe(e, labels, labels.iterators)}" for e in events]
    if not ok:
        lines.append(f"error: {error}")
    lines.extend(text_fields(fields, labels))
    return "\n".join(lines) + "\n" if lines else ""


def text_fields(fields: dict[str, Any], labels: TaskLabels) -> list[str]:
    lines: list[str] = []
    if "help" in fields:
        lines.append(fields["help"])
    if "warning" in fields:
        lines.append(f"warning: {fields['warning']}")
    for task in fields.get("tasks", []):
        where = f"{task['file']}:{task['line']}" if task["file"] else ""
        names = ",".join(task["globals"])
        lines.append(
            f"  {task['id']:>4}  {task['label'][:18]:<18} {task['kind']:<9} "
            f"{task['state']:<11} y={task['yields']:<4} s={task['switches']:<4} "
            f"{names:<10} {where}"
        )
    for found in fields.get("breaks", []):
        state = "" if found["enabled"] else ", off"
        lines.append(
            f"  breakpoint {found['id']}: {break_text(found, labels)} (hit {found['hits']}{state})"
        )
    for event in fields.get("history", []):
        lines.append(f"  [{event['seq']}] {describe(event, labels, labels.iterators)}")
    if "outcome" in fields and fields["outcome"] != "paused":
        detail = fields.get("value", fields.get("error", ""))
        lines.append(f"=> {fields['outcome']} {detail}".rstrip())
    if "where" in fields:
        where = fields["where"]
        lines.extend(where_lines(where, labels.get(where["task"], where["name"])))
    if fields.get("state") == PAUSED:
        pos = fields.get("position", {})
        at = f" at {pos['file']}:{pos['line']} in {pos['function']}" if pos.get("file") else ""
        running = pos.get("running", pos.get("task"))
        after = ""
        if pos.get("task") != running:
            after = f", after an event of {labels.get(pos.get('task'), '?')}"
        lines.append(f"paused in {labels.get(running, '?')}{at}{after}")
        if pos.get("break"):
            found = pos["break"]
            lines.append(f"stopped at breakpoint {found['id']}: {break_text(found, labels)}")
    elif "status" in fields and fields.get("state") in (IDLE, "ended"):
        status = fields["status"]
        verb = "top level" if fields["state"] == IDLE else "program"
        lines.append(
            f"{verb} {status['status']} (exit status {status['exit_code']})"
            + (f": {status['error']}" if status.get("error") else "")
        )
    return lines


def where_lines(where: dict[str, Any], label: str) -> list[str]:
    lines = [f"{label} ({where['state']})"]
    for frame in where["stack"]:
        mark = " " if frame["user"] else "~"
        lines.append(f" {mark} {frame['file']}:{frame['line']} in {frame['function']}")
    for name, value in where["locals"].items():
        lines.append(f"    {name} = {value}")
    source = where.get("source")
    if source:
        for number, text in enumerate(source["lines"], source["first"]):
            arrow = "->" if number == source["line"] else "  "
            lines.append(f"  {arrow} {number:>4} {text}")
    return lines
