"""How a program's end reads: its status (what the END event says) and its traceback as
Python would print it, without corodash's own frames."""

from __future__ import annotations

from corodash.agent.usercode import is_corodash_file

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def exit_status(exit_: SystemExit) -> dict[str, Any]:
    code = exit_.code
    if code is None or code == 0:
        return {"status": "finished", "exit_code": 0, "error": None, "traceback": ""}
    if isinstance(code, int):
        return {"status": "exit", "exit_code": code, "error": None, "traceback": ""}
    return {"status": "exit", "exit_code": 1, "error": str(code), "traceback": ""}


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
