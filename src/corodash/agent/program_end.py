"""How a program's end reads: its status (what the END event says) and its traceback as
Python would print it, without corodash's own frames."""

from __future__ import annotations

from corodash.agent.usercode import is_corodash_file
from corodash.protocol import END, MAIN_TASK

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import CodeType
    from typing import Any


def run_to_end(code: CodeType, namespace: dict[str, Any], raised: Callable[[str], None]) -> dict:
    """Run the program's top level: its status once it ends, however it ends. ``raised`` is
    told the text of an exception that ends it (the RAISE event)."""
    try:
        exec(code, namespace)
    except SystemExit as exit_:
        return exit_status(exit_)
    except KeyboardInterrupt:
        return program_status("interrupted", 130, "KeyboardInterrupt")
    except BaseException as error:
        from corodash.agent.generator_events import error_text

        text = error_text(error)
        raised(text)
        return program_status("error", 1, text, user_traceback(error))
    return program_status("finished", 0)


def cannot_start(error: BaseException) -> dict[str, Any]:
    """The status of a program that never started: no such script (2), a syntax error (2),
    no such module (1, as python -m says)."""
    code = 1 if isinstance(error, ImportError) else 2
    return program_status("error", code, error_text_plain(error))


def end_event(ended: dict[str, Any], now: float, started: float, wall: float) -> tuple:
    """The END event: how the program ended, when its script started and how long the
    agent ran (seconds since the agent's start)."""
    return (
        END,
        now,
        MAIN_TASK,
        ended["status"],
        ended["exit_code"],
        ended["error"],
        ended["traceback"],
        round(started, 6),
        wall,
    )


def program_status(how: str, exit_code: int, error: str | None = None, traceback: str = "") -> dict:
    """A program's status, as its END event says it."""
    return {"status": how, "exit_code": exit_code, "error": error, "traceback": traceback}


def exit_status(exit_: SystemExit) -> dict[str, Any]:
    code = exit_.code
    if code is None or code == 0:
        return program_status("finished", 0)
    if isinstance(code, int):
        return program_status("exit", code)
    return program_status("exit", 1, str(code))


def error_text_plain(error: BaseException) -> str:
    if isinstance(error, SyntaxError):
        return f"{error.filename}:{error.lineno}: SyntaxError: {error.msg}"
    return f"{type(error).__name__}: {error}"


def user_traceback(error: BaseException) -> str:
    """The traceback as Python would print it, without corodash's own frames."""
    import traceback  # only when something went wrong

    tb = error.__traceback__
    while tb is not None and is_corodash_file(tb.tb_frame.f_code.co_filename):
        tb = tb.tb_next
    error.__traceback__ = tb
    return "".join(traceback.format_exception(error))
