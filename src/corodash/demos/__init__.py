"""Built-in demo programs: plain Python scripts that corodash runs like any user's program.

They climb the usual ladder, from an iterator to a concurrent downloader. Each one's module
docstring is its explanation in the gallery: a title line, a blank line, then the text.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

DEMO_DIR = Path(__file__).parent

LADDER = (
    "iterator",
    "generator",
    "send",
    "round_robin",
    "greenlets",
    "gevent_spawn",
    "gevent_joinall",
    "sleep_patching",
    "downloader",
)


@dataclass(frozen=True)
class Demo:
    name: str
    path: Path
    title: str
    explanation: str


def demo_path(name: str) -> Path:
    path = DEMO_DIR / f"{name}.py"
    if name not in LADDER or not path.is_file():
        raise KeyError(f"no demo named {name!r} (demos: {', '.join(LADDER)})")
    return path


def demos() -> list[Demo]:
    """The ladder, in order, with each demo's title and explanation."""
    found = []
    for name in LADDER:
        path = DEMO_DIR / f"{name}.py"
        doc = ast.get_docstring(ast.parse(path.read_text())) or name
        title, _, explanation = doc.partition("\n\n")
        found.append(Demo(name, path, title.strip(), explanation.strip()))
    return found
