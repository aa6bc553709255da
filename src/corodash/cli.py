"""The ``corodash`` command line. Imports nothing heavy: ``--help``, ``trace`` and ``repl``
must start fast and never load textual."""

from __future__ import annotations

import gc
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence
    from typing import Any

    from corodash.agent_launch import EarlyAgent, RunOptions

CONTROLLER_GC_THRESHOLD = 100_000
"""The controller makes a dict per event: at Python's default (a young collection every 700
allocations) collecting cost a quarter of its time per event. It runs no user code, so it
collects rarely instead."""


ONE_SHOT = ("trace", "compare", "export")
"""Commands that have closed their files and said everything once ``main`` returns."""


def run() -> None:
    """The ``corodash`` command. After a one-shot command the process ends at once: Python's
    teardown of the controller's modules took a fifth of a short ``trace``'s wall time."""
    status = main()
    if sys.argv[1:2] and sys.argv[1] in ONE_SHOT:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except OSError:  # a closed pipe: nothing more can be said anyway
            pass
        os._exit(status)
    raise SystemExit(status)


def main(argv: Sequence[str] | None = None) -> int:
    gc.set_threshold(CONTROLLER_GC_THRESHOLD, *gc.get_threshold()[1:])
    args = list(sys.argv[1:] if argv is None else argv)
    own, script_args = _split_script_args(args)
    if own and own[0] == "trace":
        early = None if NO_AGENT.intersection(own) else _early_agent()
        try:
            from corodash.cli_parsers import trace_parser

            return _trace(trace_parser().parse_args(own[1:]), script_args, early)
        finally:
            if early is not None:
                early.abandon()  # if it was not given a program to run
    from corodash.cli_parsers import (
        compare_parser,
        dashboard_parser,
        export_parser,
        repl_parser,
        view_parser,
    )

    if own and own[0] == "repl":
        return _repl(repl_parser().parse_args(own[1:]), script_args)
    if own and own[0] == "compare":
        return _compare(compare_parser().parse_args(own[1:]), script_args)
    if own and own[0] == "attach":
        from corodash.cli_parsers import attach_parser
        from corodash.commands.attach_cmd import attach_dashboard

        return attach_dashboard(attach_parser().parse_args(own[1:]))
    if own and own[0] == "view":
        return _view(view_parser().parse_args(own[1:]))
    if own and own[0] == "export":
        return _export(export_parser().parse_args(own[1:]))
    options = dashboard_parser().parse_args(own)
    return _dashboard(options, script_args)


NO_AGENT = frozenset({"-h", "--help", "--attach"})
"""``trace`` options that start no agent of its own."""


def _early_agent() -> EarlyAgent:
    """An agent that boots while the options are parsed and the script checked (the two
    start-ups overlap instead of adding up): started before ``argparse`` is imported."""
    from corodash.agent_launch import EarlyAgent

    return EarlyAgent(stay=False)


def _split_script_args(args: list[str]) -> tuple[list[str], list[str]]:
    """Everything after ``--`` belongs to the user's script."""
    if "--" in args:
        cut = args.index("--")
        return args[:cut], args[cut + 1 :]
    return args, []


def _export(args: argparse.Namespace) -> int:
    from corodash.commands.export_cmd import export_recording

    if not (args.jsonl or args.chrome):
        print("corodash export: say what to write: --jsonl FILE, --chrome FILE", file=sys.stderr)
        return 2
    return export_recording(args.recording, args.jsonl, args.chrome)


def _view(args: argparse.Namespace) -> int:
    source = _opened_trace(args.recording)
    if source is None:
        return 2
    from corodash.session import RunOptions
    from corodash.tui.app import CorodashApp
    from corodash.tui.screens.dashboard import DashboardScreen

    screen = DashboardScreen(RunOptions(os.path.abspath(args.recording)), recording=source)
    app = CorodashApp(first=screen)
    app.run()
    return app.return_code or 0


def _run_options(
    args: argparse.Namespace, script: str, script_args: list[str], **overrides: Any
) -> RunOptions:
    """The options every command shares (--patch, --all-generators, --block-threshold)."""
    from corodash.agent_launch import RunOptions

    return RunOptions(
        script,
        script_args,
        patch=args.patch,
        include_libraries=args.all_generators,
        block_threshold=args.block_threshold,
        record_locals=args.record_locals,
        module=args.module,
        **overrides,
    )


def _checked_script(path: str | None, module: str | None = None) -> str | None:
    """The program's file: the script, or the file ``-m MODULE`` runs; None (and why, on
    stderr) when there is none or it does not compile."""
    from corodash.script_check import ScriptError, check_module, check_script

    try:
        return check_module(module) if module else check_script(path or "")
    except ScriptError as error:
        print(f"corodash: {error}", file=sys.stderr)
        return None


def _trace(args: argparse.Namespace, script_args: list[str], early: EarlyAgent | None) -> int:
    if args.attach:
        from corodash.commands.attach_cmd import trace_attached

        return trace_attached(args)
    if args.demo:
        from corodash.demos import demo_path

        try:
            path = str(demo_path(args.demo))
        except KeyError as error:
            print(f"corodash: {error.args[0]}", file=sys.stderr)
            return 2
    else:
        path = args.script
    script = _checked_script(path, args.module)
    if script is None:
        return 2
    from corodash.commands.trace_cmd import unwritable

    problem = unwritable(args.out)
    if problem:
        print(f"corodash: cannot write the trace to {args.out}: {problem}", file=sys.stderr)
        return 2
    options = _run_options(args, script, script_args)
    from corodash.agent_launch import launch

    # the agent runs the program while the rest of the controller loads
    launched = early.take(options) if early is not None else launch(options)
    from corodash.commands.stop_signals import stop_on_signals
    from corodash.commands.trace_cmd import EXIT_USER_ERROR, exit_status, report_end
    from corodash.trace_format import read_trace
    from corodash.traced_run import TraceRun

    echo = None if args.quiet else sys.stdout
    run = TraceRun(options, args.out, args.timeout, echo, launched)
    with stop_on_signals(run.cancel) as seen:
        end = run.run()
    if run.write_error:
        print(f"corodash: {run.write_error}; the program was stopped", file=sys.stderr)
        return EXIT_USER_ERROR
    report_end(end, sys.stderr)
    print(run.summary(), file=sys.stderr)
    if args.chrome:
        _write_chrome(args.chrome, [(os.path.basename(script), read_trace(args.out))])
    return seen.exit_status or exit_status(end)


def _write_chrome(path: str, runs: list) -> None:
    from corodash.chrome_trace import write_chrome

    with open(path, "wb") as handle:
        write_chrome(handle, runs)
    print(f"  chrome: {path}", file=sys.stderr)


def _compare(args: argparse.Namespace, script_args: list[str]) -> int:
    from corodash.commands.compare_cmd import comparison_status, print_comparison
    from corodash.commands.stop_signals import stop_on_signals
    from corodash.comparison_run import Cancelled, ComparisonRun
    from corodash.session import RunOptions

    script = _checked_script(args.script, args.module)
    if script is None:
        return 2
    options = RunOptions(
        script, script_args, block_threshold=args.block_threshold, module=args.module
    )
    comparison = ComparisonRun(options, args.timeout)
    with stop_on_signals(comparison.cancel) as seen:
        try:
            result = comparison.run()
        except Cancelled:
            print("corodash: interrupted: the comparison was stopped", file=sys.stderr)
            return seen.exit_status or 130
    print_comparison(result, sys.stdout, args.json)
    if args.chrome:
        runs = [("patched", result.patched.events), ("unpatched", result.unpatched.events)]
        _write_chrome(args.chrome, runs)
    return comparison_status(result)


def _repl(args: argparse.Namespace, script_args: list[str]) -> int:
    from corodash.event_sources import is_trace_file

    if args.attach:
        from corodash.commands.attach_cmd import repl_attached

        return repl_attached(args)
    if args.script and is_trace_file(args.script):
        from corodash.commands.history_repl import HistoryRepl

        source = _opened_trace(args.script)
        return 2 if source is None else HistoryRepl(source, json_mode=args.json).run()
    from corodash.commands.repl_cmd import Repl

    script = _checked_script(args.script, args.module)
    if script is None:
        return 2
    options = _run_options(args, script, script_args, step=args.step, stay=True)
    return Repl(options, json_mode=args.json, pause_after=args.pause_after).run()


def _opened_trace(path: str) -> Any:
    """The events of a recording or JSONL trace; None (and why, on stderr) when unreadable."""
    from corodash.event_sources import SourceError, open_source

    try:
        return open_source(path)
    except (SourceError, OSError) as error:
        print(f"corodash: {error}", file=sys.stderr)
        return None


def _dashboard(args: argparse.Namespace, script_args: list[str]) -> int:
    from corodash.session import AgentSession, HandoverListener

    options = started = None
    if args.script or args.module:
        script = _checked_script(args.script, args.module)
        if script is None:
            return 2
        options = _run_options(args, script, script_args, step=not args.run)
        # The agent boots while Textual loads: the screen takes it over once it is up.
        started = AgentSession(options.replace(stay=True), HandoverListener())
        started.start()
    from corodash.tui.app import CorodashApp

    app = CorodashApp(options, started)
    try:
        app.run()
    finally:
        if started is not None:
            started.kill()
    return app.return_code or 0
