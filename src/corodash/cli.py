"""The ``corodash`` command line. Imports nothing heavy: ``--help``, ``trace`` and ``repl``
must start fast and never load textual."""

from __future__ import annotations

import argparse
import gc
import math
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from corodash import __version__

if TYPE_CHECKING:
    from corodash.agent_launch import RunOptions

PATCH_MODES = ("auto", "on", "off")
DESCRIPTION = """\
A terminal dashboard for Python coroutines: generators, iterators, greenlet and gevent.

  corodash                       open the gallery of built-in demos
  corodash SCRIPT [-- ARGS]      open the dashboard on your program, paused at its start
  corodash trace SCRIPT          run it traced to the end; write a recording (or JSONL)
  corodash repl SCRIPT           a line console: step, next, send, throw, close, switch
  corodash repl RECORDING        the same console over a run's history: goto, back, find
  corodash compare SCRIPT        run it patched and unpatched; what blocked gevent's hub
  corodash view RECORDING        a recording (or .jsonl trace) in the dashboard: history
  corodash export RECORDING      a recording as JSON Lines or a Chrome trace (Perfetto)
"""


CONTROLLER_GC_THRESHOLD = 100_000
"""The controller makes a dict per event: at Python's default (a young collection every 700
allocations) collecting cost a quarter of its time per event. It runs no user code, so it
collects rarely instead."""


def main(argv: Sequence[str] | None = None) -> int:
    gc.set_threshold(CONTROLLER_GC_THRESHOLD, *gc.get_threshold()[1:])
    args = list(sys.argv[1:] if argv is None else argv)
    own, script_args = _split_script_args(args)
    if own and own[0] == "trace":
        return _trace(_trace_parser().parse_args(own[1:]), script_args)
    if own and own[0] == "repl":
        return _repl(_repl_parser().parse_args(own[1:]), script_args)
    if own and own[0] == "compare":
        return _compare(_compare_parser().parse_args(own[1:]), script_args)
    if own and own[0] == "view":
        return _view(_view_parser().parse_args(own[1:]))
    if own and own[0] == "export":
        return _export(_export_parser().parse_args(own[1:]))
    options = _dashboard_parser().parse_args(own)
    return _dashboard(options, script_args)


def _split_script_args(args: list[str]) -> tuple[list[str], list[str]]:
    """Everything after ``--`` belongs to the user's script."""
    if "--" in args:
        cut = args.index("--")
        return args[:cut], args[cut + 1 :]
    return args, []


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--patch",
        choices=PATCH_MODES,
        default="auto",
        help="gevent monkey patching: auto runs the program as written, on "
        "patches before it starts, off ignores its patch_all() calls",
    )
    parser.add_argument(
        "--record-locals",
        action="store_true",
        help="record the locals of a generator at each yield and of a greenlet at each "
        "switch, to show them in history (slower: corodash's compiled recorder is not used)",
    )
    parser.add_argument(
        "--all-generators",
        action="store_true",
        help="trace generators of libraries and the standard library too",
    )
    _threshold(parser)


def _module(group: argparse._MutuallyExclusiveGroup) -> None:
    group.add_argument(
        "-m",
        dest="module",
        metavar="MODULE",
        help="run a module as python -m does (a package: its __main__); its arguments go after --",
    )


def _threshold(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--block-threshold",
        type=float,
        default=0.1,
        metavar="SECONDS",
        help="report a greenlet that keeps gevent's hub from running for longer than this "
        "(default: %(default)s; 0 turns blocking detection off)",
    )


def _commands_epilog() -> str:
    """The other commands' usage lines, under the main help."""
    usages = [
        parser().format_usage().replace("usage: ", "  ").rstrip()
        for parser in (_trace_parser, _repl_parser, _view_parser, _compare_parser)
    ]
    return (
        "commands:\n" + "\n".join(usages) + "\n\n'corodash COMMAND --help' explains each "
        "option; in the dashboard, ? lists every key."
    )


def _dashboard_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="corodash",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_commands_epilog(),
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("script", nargs="?", help="a Python program (none: the demo gallery)")
    _module(source)
    parser.add_argument("--run", action="store_true", help="start running instead of paused")
    parser.add_argument("--version", action="version", version=f"corodash {__version__}")
    _common(parser)
    return parser


def _trace_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="corodash trace",
        description="Run SCRIPT to its end, traced; write the trace (a binary recording, "
        "or JSON Lines for a .jsonl name) and print a summary. Exit status: 0 finished, "
        "1 the program raised, 2 usage/missing file/syntax error, 124 timeout.",
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("script", nargs="?", help="the Python program to run")
    _module(source)
    source.add_argument(
        "--demo",
        nargs="?",
        const="generator",
        metavar="NAME",
        help="run a built-in demo instead (default: generator)",
    )
    parser.add_argument(
        "--out",
        default="corodash-trace.cdrec",
        metavar="FILE",
        help="where to write the trace: a recording, or JSON Lines if FILE ends in .jsonl "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--timeout",
        type=_positive_seconds,
        metavar="SECONDS",
        help="stop the program after this long (exit status 124)",
    )
    parser.add_argument("--quiet", action="store_true", help="do not echo the program's output")
    parser.add_argument(
        "--chrome",
        metavar="FILE",
        help="also write the timeline as Chrome Trace Event JSON (Perfetto)",
    )
    _common(parser)
    return parser


def _export_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="corodash export",
        description="Convert a recording written by `corodash trace` (streamed: any size).",
    )
    parser.add_argument("recording", help="the recording to read")
    parser.add_argument("--jsonl", metavar="FILE", help="write the JSON Lines trace")
    parser.add_argument("--chrome", metavar="FILE", help="write Chrome Trace Event JSON")
    return parser


def _export(args: argparse.Namespace) -> int:
    from corodash.commands.export_cmd import export_recording

    if not (args.jsonl or args.chrome):
        print("corodash export: say what to write: --jsonl FILE, --chrome FILE", file=sys.stderr)
        return 2
    return export_recording(args.recording, args.jsonl, args.chrome)


def _view_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="corodash view",
        description="Open a recording written by `corodash trace` (or a .jsonl trace) in the "
        "dashboard, at its last event: step back and forth through it ([ ] { } < > ' .).",
    )
    parser.add_argument("recording", help="the recording to open")
    return parser


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


def _compare_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="corodash compare",
        description="Run SCRIPT twice, with gevent's monkey patching "
        "on and off, each in a fresh agent; compare wall time, switches and the calls that "
        "blocked the hub, and say what happened.",
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("script", nargs="?", help="the Python program to run")
    _module(source)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--timeout",
        type=_positive_seconds,
        default=60.0,
        metavar="SECONDS",
        help="stop each run after this long (default: %(default)g); a run stopped so is "
        "reported, not compared (exit status 124)",
    )
    parser.add_argument(
        "--chrome",
        metavar="FILE",
        help="write both timelines as Chrome Trace Event JSON (Perfetto)",
    )
    _threshold(parser)
    return parser


def _repl_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="corodash repl",
        description="Run SCRIPT's top level (or pause before its first "
        "event with --step), then read commands from stdin, one per line. Type help there. "
        "Given a recording (or a .jsonl trace) instead, step through its history.",
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "script", nargs="?", help="the Python program to run, or a recording to open"
    )
    _module(source)
    parser.add_argument(
        "--json", action="store_true", help="answer each command with one JSON object on one line"
    )
    parser.add_argument("--step", action="store_true", help="pause before the first event")
    parser.add_argument(
        "--pause-after",
        type=_positive_seconds,
        metavar="SECONDS",
        help="pause the program if it is still running after this long (one that never "
        "ends, say), then read commands; Ctrl-C pauses it too",
    )
    _common(parser)
    return parser


def _positive_seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (0 < seconds < math.inf):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return seconds


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


def _trace(args: argparse.Namespace, script_args: list[str]) -> int:
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
    problem = _unwritable(args.out)
    if problem:
        print(f"corodash: cannot write the trace to {args.out}: {problem}", file=sys.stderr)
        return 2
    options = _run_options(args, script, script_args)
    from corodash.agent_launch import launch

    launched = launch(options)  # the agent boots while the rest of the controller loads
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


def _unwritable(path: str) -> str | None:
    """Why a trace cannot be written at ``path``, said before the program starts."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        return "no such directory"
    if os.path.isdir(path):
        return "it is a directory"
    if not os.access(folder, os.W_OK) or (os.path.exists(path) and not os.access(path, os.W_OK)):
        return "permission denied"
    return None


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
    from dataclasses import replace

    from corodash.session import AgentSession, HandoverListener

    options = started = None
    if args.script or args.module:
        script = _checked_script(args.script, args.module)
        if script is None:
            return 2
        options = _run_options(args, script, script_args, step=not args.run)
        # The agent boots while Textual loads: the screen takes it over once it is up.
        started = AgentSession(replace(options, stay=True), HandoverListener())
        started.start()
    from corodash.tui.app import CorodashApp

    app = CorodashApp(options, started)
    try:
        app.run()
    finally:
        if started is not None:
            started.kill()
    return app.return_code or 0
