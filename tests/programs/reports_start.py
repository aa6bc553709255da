"""What a program finds when it starts: which heavy modules are already imported, and
sys.path (corodash's agent must leave both as plain Python does). No generator runs before
the check: the agent loads what it needs to trace one at the first."""

import sys

HEAVY = ["msgspec", "typing", "inspect", "dataclasses", "json", "ctypes", "re", "runpy", "dis"]
HEAVY += ["enum", "signal", "functools", "contextlib", "weakref", "warnings", "opcode"]
preloaded = []
for name in HEAVY:
    if name in sys.modules:
        preloaded.append(name)
print("preloaded:", preloaded)
print("path:", sys.path)
