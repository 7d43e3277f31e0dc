"""The ``archiver`` command: one sub-command per module in :mod:`archiver.commands`.

Each command module exposes ``register(subparsers)``, which adds its parser and
sets ``func`` to a callable taking the parsed arguments and returning an exit code.
Adding a verb is adding a module and naming it in ``COMMANDS``. Command modules
import only what their parser needs; a verb imports Scrapy and the rest when it
runs, so ``archiver --help`` does not pay ~1.2 s for Scrapy.

Errors reach the person as one line, here and only here: a
:class:`~archiver.console.errors.UsageError` (bad arguments, settings or input)
exits 2, a file-system error exits 1, naming the path and what to do; the
traceback is shown only with ``--debug``.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
from typing import NoReturn

from archiver import __version__
from archiver.console.errors import UsageError, describe_os_error
from archiver.run.collector import CRAWL_THRESHOLDS
from archiver.run.outcome import ExitCode

COMMANDS = [
    "crawl", "demo", "check", "detect", "index", "reextract", "wacz", "replay", "sites",
    "report", "runs", "schedule", "seed",
]
DEBUG_HELP = "show the Python traceback of an error (for a bug report)"


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The ``archiver`` parser, with every verb, or with ``command``'s only: importing
    and registering the other twelve command modules cost every crawl about 33 ms of
    CPU at its start (``archiver crawl --help``: 106 -> 73 ms, median of 12, sources
    compiled at each start as under ``PYTHONDONTWRITEBYTECODE``, load 5), 1-2% of an
    unchanged 600-article recrawl."""
    parser = argparse.ArgumentParser(
        prog="archiver",
        description="Crawl news sites into WARC archives with paywall verdicts.",
        epilog="`archiver COMMAND --help` describes a command's arguments.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in [command] if command in COMMANDS else COMMANDS:
        importlib.import_module(f"archiver.commands.{name}").register(subparsers)
    for subparser in subparsers.choices.values():
        # SUPPRESS: a sub-parser's default would overwrite `archiver --debug VERB`.
        subparser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                               help=DEBUG_HELP)
    return parser


def _command_named(argv: list[str]) -> str | None:
    """The verb ``argv`` names: its first argument that is no option (the top-level
    options take no value)."""
    return next((arg for arg in argv if not arg.startswith("-")), None)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(_command_named(argv))
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return ExitCode.USAGE
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print(f"archiver {args.command}: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        # Output piped into `head` and the like: stop quietly, as Unix tools do.
        sys.stderr.close()
        return ExitCode.OK
    except UsageError as error:
        if args.debug:
            raise
        for line in str(error).splitlines():  # one line per problem (settings, configs)
            print(f"archiver {args.command}: {line}", file=sys.stderr)
        return error.exit_code
    except OSError as error:
        if args.debug:
            raise
        print(f"archiver {args.command}: {describe_os_error(error)}", file=sys.stderr)
        return ExitCode.FAILED


def run() -> NoReturn:
    """The ``archiver`` process (its script and ``python -m archiver``): :func:`main`, then
    exit with its code.

    Its cyclic collector runs at the crawl's thresholds from the start
    (:data:`~archiver.run.collector.CRAWL_THRESHOLDS`): the verb's imports build
    about 150,000 objects that live as long as the process, and at Python's default
    thresholds full collections walked that growing heap again and again while they
    loaded (0.15-0.2 s of CPU of a 1-article recrawl's 1.6, load 7).

    What is still alive is frozen out of the cyclic collector first (:func:`gc.freeze`):
    the interpreter's collections at exit walked the whole heap again, 0.35-0.45 s of
    CPU after a crawl of one article (a quarter of a short recrawl's, load 6-7), only to
    find what the process's end releases anyway. Files and logs are closed before this
    (Scrapy at the spider's close, :mod:`logging` and :mod:`atexit` handlers still run).
    :func:`main` called in a process that goes on (tests) leaves the collector alone.
    """
    gc.set_threshold(*CRAWL_THRESHOLDS)
    code = main()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    run()
