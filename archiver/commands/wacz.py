"""``archiver wacz DIR|WARC... -o crawl.wacz``: a WACZ 1.1.1 package of a crawl."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from archiver.run.outcome import ExitCode

if TYPE_CHECKING:
    from archiver.toolkit.readable import Damage


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "wacz", help="package WARC files, index and article list as a WACZ 1.1.1 file"
    )
    parser.add_argument("inputs", nargs="+", type=Path, metavar="DIR|WARC")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="CRAWL.wacz")
    parser.add_argument("--title", help="the package's title (datapackage.json)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from archiver.console.errors import usable_file
    from archiver.toolkit.inputs import warc_paths
    from archiver.toolkit.pages import crawl_pages
    from archiver.toolkit.wacz import write_wacz

    damage: list[Damage] = []
    warcs = warc_paths(args.inputs)
    usable_file(args.output)  # before the work: a bad -o costs nothing
    pages = crawl_pages(args.inputs, warcs, damage.append)
    package = write_wacz(warcs, pages, args.output, args.title)
    # the page list and the index read the same files: one line per problem
    damage = list(dict.fromkeys([*damage, *package.damage]))
    for problem in damage:
        print(problem, file=sys.stderr)
    print(f"{package.path}: {len(warcs)} WARC files, {package.pages} pages"
          + (f", {len(damage)} unreadable records left out" if damage else ""))
    return ExitCode.FAILED if damage else ExitCode.OK
