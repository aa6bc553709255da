"""The command line's parsers: every command's arguments, in one place. Imports nothing
heavy (``--help`` must be instant)."""

from __future__ import annotations

import argparse
import math

from corodash import __version__

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
  corodash attach TARGET         watch a running service that called corodash.listen()
  corodash export RECORDING      a recording as JSON Lines or a Chrome trace (Perfetto)
"""


def common_options(parser: argparse.ArgumentParser) -> None:
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
    threshold_option(parser)


def module_option(group: argparse._MutuallyExclusiveGroup) -> None:
    group.add_argument(
        "-m",
        dest="module",
        metavar="MODULE",
        help="run a module as python -m does (a package: its __main__); its arguments go after --",
    )


def threshold_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--block-threshold",
        type=float,
        default=0.1,
        metavar="SECONDS",
        help="report a greenlet that keeps gevent's hub from running for longer than this "
        "(default: %(default)s; 0 turns blocking detection off)",
    )


def commands_epilog() -> str:
    """The other commands' usage lines, under the main help."""
    usages = [
        parser().format_usage().replace("usage: ", "  ").rstrip()
        for parser in (trace_parser, repl_parser, view_parser, compare_parser)
    ]
    return (
        "commands:\n" + "\n".join(usages) + "\n\n'corodash COMMAND --help' explains each "
        "option; in the dashboard, ? lists every key."
    )


def dashboard_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="corodash",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=commands_epilog(),
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("script", nargs="?", help="a Python program (none: the demo gallery)")
    module_option(source)
    parser.add_argument("--run", action="store_true", help="start running instead of paused")
    parser.add_argument("--version", action="version", version=f"corodash {__version__}")
    common_options(parser)
    return parser


def trace_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="corodash trace",
        description="Run SCRIPT to its end, traced; write the trace (a binary recording, "
        "or JSON Lines for a .jsonl name) and print a summary. Exit status: 0 finished, "
        "1 the program raised, 2 usage/missing file/syntax error, 124 timeout.",
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("script", nargs="?", help="the Python program to run")
    module_option(source)
    source.add_argument(
        "--attach",
        metavar="TARGET",
        help="record a running process that called corodash.listen() instead: TARGET is "
        "its socket, or its pid",
    )
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
        type=positive_seconds,
        metavar="SECONDS",
        help="stop the program after this long (exit status 124)",
    )
    parser.add_argument(
        "--duration",
        type=positive_seconds,
        metavar="SECONDS",
        help="with --attach: record this long, then detach (default: until Ctrl-C)",
    )
    parser.add_argument("--quiet", action="store_true", help="do not echo the program's output")
    parser.add_argument(
        "--chrome",
        metavar="FILE",
        help="also write the timeline as Chrome Trace Event JSON (Perfetto)",
    )
    common_options(parser)
    return parser


def export_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="corodash export",
        description="Convert a recording written by `corodash trace` (streamed: any size).",
    )
    parser.add_argument("recording", help="the recording to read")
    parser.add_argument("--jsonl", metavar="FILE", help="write the JSON Lines trace")
    parser.add_argument("--chrome", metavar="FILE", help="write Chrome Trace Event JSON")
    return parser


def attach_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="corodash attach",
        description="Watch a running process that called corodash.listen(): its greenlets, "
        "switches and what blocks gevent's hub, live. q detaches; the process goes on.",
    )
    parser.add_argument("target", help="its socket, or its pid")
    return parser


def view_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="corodash view",
        description="Open a recording written by `corodash trace` (or a .jsonl trace) in the "
        "dashboard, at its last event: step back and forth through it ([ ] { } < > ' .).",
    )
    parser.add_argument("recording", help="the recording to open")
    return parser


def compare_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="corodash compare",
        description="Run SCRIPT twice, with gevent's monkey patching "
        "on and off, each in a fresh agent; compare wall time, switches and the calls that "
        "blocked the hub, and say what happened.",
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("script", nargs="?", help="the Python program to run")
    module_option(source)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--timeout",
        type=positive_seconds,
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
    threshold_option(parser)
    return parser


def repl_parser() -> argparse.ArgumentParser:
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
    module_option(source)
    source.add_argument(
        "--attach",
        metavar="TARGET",
        help="watch a running process that called corodash.listen() (its socket or pid)",
    )
    parser.add_argument(
        "--json", action="store_true", help="answer each command with one JSON object on one line"
    )
    parser.add_argument("--step", action="store_true", help="pause before the first event")
    parser.add_argument(
        "--pause-after",
        type=positive_seconds,
        metavar="SECONDS",
        help="pause the program if it is still running after this long (one that never "
        "ends, say), then read commands; Ctrl-C pauses it too",
    )
    common_options(parser)
    return parser


def positive_seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (0 < seconds < math.inf):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return seconds
