"""``corodash attach``, ``trace --attach`` and ``repl --attach``: a running process that
called ``corodash.listen()``, watched from the dashboard, recorded for a while, or asked
from a line console; each detaches when done and leaves the process as it was."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from corodash.commands.trace_cmd import unwritable


def attach_dashboard(args: argparse.Namespace) -> int:
    attached = attached_target(args.target)
    if attached is None:
        return 2
    path, sock, hello = attached
    from corodash.attach_session import AttachedSession
    from corodash.session import HandoverListener, RunOptions
    from corodash.tui.app import CorodashApp

    started = AttachedSession(sock, hello, path, HandoverListener())
    started.start()
    app = CorodashApp(RunOptions(path, attached=hello.get("pid")), started)
    try:
        app.run()
    finally:
        started.kill()
    return app.return_code or 0


def trace_attached(args: argparse.Namespace) -> int:
    """Record a listening process for ``--duration`` seconds (or until Ctrl-C), then detach."""
    problem = unwritable(args.out)
    if problem:
        print(f"corodash: cannot write the trace to {args.out}: {problem}", file=sys.stderr)
        return 2
    attached = attached_target(args.attach)
    if attached is None:
        return 2
    path, sock, hello = attached
    from corodash.attach_session import AttachedSession
    from corodash.commands.stop_signals import stop_on_signals
    from corodash.commands.trace_cmd import exit_status, report_end
    from corodash.session import RunOptions
    from corodash.traced_run import TraceRun

    print(f"corodash: attached to process {hello.get('pid')} ({path})", file=sys.stderr)
    run = TraceRun(
        RunOptions(path),
        args.out,
        args.duration,
        None,
        session=lambda listener: AttachedSession(sock, hello, path, listener),
    )
    with stop_on_signals(run.cancel):  # Ctrl-C detaches: the trace so far is the trace
        end = run.run()
    report_end(end, sys.stderr)
    print(run.summary(), file=sys.stderr)
    return exit_status(end)


def attached_target(target: str) -> Any:
    """(socket path, connection, hello) of a listening process; None (and why) if not."""
    from corodash.attach_session import AttachError, connect, resolve_target

    try:
        path = resolve_target(target)
        return (path, *connect(path))
    except AttachError as error:
        print(f"corodash: cannot attach: {error}", file=sys.stderr)
        return None


def repl_attached(args: argparse.Namespace) -> int:
    attached = attached_target(args.attach)
    if attached is None:
        return 2
    path, sock, hello = attached
    from corodash.attach_session import AttachedSession
    from corodash.blocking_run import BlockingRun
    from corodash.commands.attach_repl import AttachRepl
    from corodash.session import RunOptions

    program = BlockingRun(
        RunOptions(path), session=lambda listener: AttachedSession(sock, hello, path, listener)
    )
    return AttachRepl(program, json_mode=args.json).run()
