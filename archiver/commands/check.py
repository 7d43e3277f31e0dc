"""``archiver check WARC|DIR...``: validate digests and structure; exit 1 on any error.

Errors (what breaks replay or integrity) and warnings (what WARC allows but we
would not write) are printed one per line, naming file and offset; warnings
alone leave the exit code at 0, so other crawlers' valid archives pass.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from archiver.run.outcome import ExitCode


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check", help="validate WARC files (digests, structure); errors exit 1, warnings 0"
    )
    parser.add_argument("warcs", nargs="+", type=Path, metavar="WARC|DIR")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from archiver.toolkit.inputs import warc_paths
    from archiver.warccheck import check_warc

    paths = warc_paths(args.warcs)
    failed = 0
    for path in paths:
        problems = list(check_warc(path))
        errors = [p for p in problems if p.severity == "error"]
        for problem in problems:
            print(problem)
        if errors:
            failed += 1
        else:
            warnings = len(problems)
            plural = "s" if warnings > 1 else ""
            print(f"{path}: ok" + (f" ({warnings} warning{plural})" if warnings else ""))
    return ExitCode.FAILED if failed else ExitCode.OK
