"""Run a program with gevent's monkey patching on, then off, each in a fresh agent.

UI-free: ``corodash compare`` prints the result, the dashboard's compare view draws it. Both
runs go one after the other (side by side they would share the cores), each with a timeout;
``cancel`` stops the one running and skips the other.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from corodash.compare import Comparison, compare, summarize
from corodash.session import RunOptions
from corodash.trace_format import read_trace
from corodash.traced_run import TraceRun

PATCHED, UNPATCHED = "on", "off"
DEFAULT_TIMEOUT = 60.0
"""Seconds each run may take: a program that never ends still gets compared."""


class Cancelled(Exception):
    """The comparison was cancelled before both runs were done."""


class ComparisonRun:
    def __init__(self, options: RunOptions, timeout: float | None = DEFAULT_TIMEOUT) -> None:
        self.options = options
        self.timeout = timeout
        self.cancelled: str | None = None
        self._current: TraceRun | None = None

    def run(self) -> Comparison:
        """Both runs, compared; raises Cancelled if ``cancel`` came first."""
        patched = summarize("patched", self._run_mode(PATCHED), self.timeout)
        unpatched = summarize("unpatched", self._run_mode(UNPATCHED), self.timeout)
        source = Path(self.options.script).read_text(errors="replace")
        return compare(patched, unpatched, source, self.options.script)

    def cancel(self, reason: str = "interrupted") -> None:
        """Stop the run under way and skip the rest (safe from a signal handler)."""
        self.cancelled = reason
        current = self._current
        if current is not None:
            current.cancel(reason)

    def _run_mode(self, mode: str) -> list[dict]:
        if self.cancelled is not None:
            raise Cancelled(self.cancelled)
        handle, path = tempfile.mkstemp(prefix="corodash-compare-", suffix=".jsonl")
        os.close(handle)
        try:
            self._current = TraceRun(self.options.replace(patch=mode), path, self.timeout, None)
            self._current.run()
            if self.cancelled is not None:
                raise Cancelled(self.cancelled)
            return read_trace(path)
        finally:
            self._current = None
            os.unlink(path)
