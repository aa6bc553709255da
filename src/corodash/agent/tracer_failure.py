"""A tracer that fails stops, says so once, and leaves the program alone (python-hunter's
rule): the guards keep the error from the program (accelerator.py); this records it.

Checked on the channel's thread, every flush: the event comes at most a flush interval after
the failure, and no tracer event is recorded after it: every guarded callback returns at
once from then on (they stay installed; settrace and greenlet's trace function belong to
the main thread and cannot be removed from here).
"""

from __future__ import annotations

import os

from corodash.agent.accelerator import take_failure
from corodash.agent.usercode import is_corodash_file
from corodash.protocol import DIAGNOSTIC, MAIN_TASK

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable


class TracerFailureWatch:
    def __init__(self, append: Callable[[tuple], None], clock: Callable[[], float]) -> None:
        self.append = append
        self.clock = clock

    def tick(self, now: float) -> None:
        error = take_failure()
        if error is None:
            return
        self.append((DIAGNOSTIC, self.clock(), MAIN_TASK, failure_message(error)))


def failure_message(error: BaseException) -> str:
    """``tracing stopped: RecursionError: ... (in registry.py:119)``: what and where."""
    import traceback  # only when something went wrong

    what = traceback.format_exception_only(error)[-1].strip()
    ours = [f for f in traceback.extract_tb(error.__traceback__) if is_corodash_file(f.filename)]
    where = f" (in {os.path.basename(ours[-1].filename)}:{ours[-1].lineno})" if ours else ""
    return f"tracing stopped after its own error, the program goes on: {what}{where}"
