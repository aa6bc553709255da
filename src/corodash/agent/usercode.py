"""Which code is the user's: corodash traces the user's coroutines, not the libraries'."""

from __future__ import annotations

import os
import site
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import CodeType

_AGENT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_DEMO_ROOT = os.path.join(_AGENT_ROOT, "demos") + os.sep


def _library_roots() -> tuple[str, ...]:
    """Python's own library (where ``os`` is), the base installation's ``lib``, and every
    site-packages: what sysconfig's install paths name, without importing sysconfig."""
    roots = {_AGENT_ROOT + os.sep, os.path.dirname(os.path.abspath(os.__file__)) + os.sep}
    for path in [*site.getsitepackages(), site.getusersitepackages()]:
        roots.add(os.path.abspath(path) + os.sep)
    roots.add(os.path.abspath(sys.base_prefix) + os.sep + "lib" + os.sep)
    return tuple(sorted(roots))


LIBRARY_ROOTS = _library_roots()


def is_user_file(filename: str) -> bool:
    """A file of the user's program, not of Python, an installed package or corodash."""
    if not filename or filename.startswith("<"):
        return False
    path = os.path.abspath(filename)
    return path.startswith(_DEMO_ROOT) or not path.startswith(LIBRARY_ROOTS)


def is_corodash_file(filename: str) -> bool:
    """corodash's own code; its demos count as the user's."""
    path = os.path.abspath(filename)
    return path.startswith(_AGENT_ROOT + os.sep) and not path.startswith(_DEMO_ROOT)


class CodeFilter:
    """Caches the user/library verdict per code object (checked on every first entry)."""

    def __init__(self, include_libraries: bool = False) -> None:
        self.include_libraries = include_libraries
        self._verdicts: dict[str, bool] = {}

    def wants(self, code: CodeType) -> bool:
        filename = code.co_filename
        verdict = self._verdicts.get(filename)
        if verdict is None:
            if self.include_libraries:
                verdict = not filename.startswith("<frozen") and not is_corodash_file(filename)
            else:
                verdict = is_user_file(filename)
            self._verdicts[filename] = verdict
        return verdict
