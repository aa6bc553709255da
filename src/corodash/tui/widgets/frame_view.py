"""The selected task's stack and locals."""

from __future__ import annotations

import os
from typing import Any

from rich.text import Text

from corodash.tui.widgets.steady_static import SteadyStatic


class FrameView(SteadyStatic):
    def show(self, where: dict[str, Any] | None, label: str | None = None) -> None:
        """``label``: the name the other panes show the task by."""
        if where is None:
            self.replace_text("")
            return
        text = Text()
        text.append(label or where["name"], style="bold")
        text.append(f"  {where.get('state') or ''}\n", style="italic")
        for frame in where["stack"][-8:]:
            style = "" if frame["user"] else "grey50"
            text.append(
                f"  {os.path.basename(frame['file'])}:{frame['line']} {frame['function']}\n",
                style=style,
            )
        if where["locals"]:
            text.append("locals\n", style="bold")
            for name, value in where["locals"].items():
                text.append(f"  {name}", style="cyan")
                text.append(f" = {value}\n")
        elif not where["stack"]:
            text.append("  (not running: no frame)\n", style="grey50")
        self.replace_text(text)
