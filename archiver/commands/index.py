"""``archiver index WARC|DIR... [-o index.cdxj]``: a sorted CDXJ index (SURT keys)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from archiver.run.outcome import ExitCode


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "index", help="write a sorted CDXJ index of WARC files (for pywb and lookups)"
    )
    parser.add_argument("inputs", nargs="+", type=Path, metavar="WARC|DIR")
    parser.add_argument("-o", "--output", type=Path, metavar="INDEX.cdxj",
                        help="where to write the index (default: standard output)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from archiver.console.errors import usable_file
    from archiver.toolkit.index import write_index
    from archiver.toolkit.inputs import warc_paths

    warcs = warc_paths(args.inputs)
    if args.output:
        usable_file(args.output)
    damage = write_index(warcs, args.output or sys.stdout)
    for problem in damage:
        print(problem, file=sys.stderr)
    return ExitCode.FAILED if damage else ExitCode.OK
