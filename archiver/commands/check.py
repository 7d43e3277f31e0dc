"""``archiver check WARC...``: validate digests and structure; exit 1 on any problem."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from archiver.warccheck import check_warc


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("check", help="validate WARC files (digests, structure)")
    parser.add_argument("warcs", nargs="+", type=Path, metavar="WARC")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    failed = 0
    for path in args.warcs:
        if not path.is_file():
            print(f"{path}: no such file; give the path of a .warc.gz file", file=sys.stderr)
            failed += 1
            continue
        problems = list(check_warc(path))
        for problem in problems:
            print(problem)
        if problems:
            failed += 1
        else:
            print(f"{path}: ok")
    return 1 if failed else 0
