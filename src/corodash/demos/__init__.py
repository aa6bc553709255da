"""Built-in demo programs: plain Python scripts that corodash runs like any user's program."""

from __future__ import annotations

from pathlib import Path

DEMO_DIR = Path(__file__).parent


def demo_path(name: str) -> Path:
    path = DEMO_DIR / f"{name}.py"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in DEMO_DIR.glob("[!_]*.py")))
        raise KeyError(f"no demo named {name!r} (demos: {known})")
    return path
