"""``archiver reextract WARC|DIR... -o items.jsonl``: re-run extraction and paywall detection
on archived captures, offline, emitting the items a live crawl emits."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from archiver.commands.sites import add_sites_dir_argument
from archiver.console.errors import UsageError
from archiver.run.outcome import ExitCode


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "reextract",
        help="re-run extraction and paywall detection on WARC files (ours or third parties')",
    )
    parser.add_argument("inputs", nargs="+", type=Path, metavar="WARC|DIR")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="ITEMS.jsonl",
                        help="where to write the items (JSON Lines, as a crawl's feed)")
    parser.add_argument("-j", "--jobs", type=int, metavar="N",
                        help="worker processes (default: one per core)")
    parser.add_argument("--site", action="append", default=[], dest="sites", metavar="NAME",
                        help="use this site config's paywall hints and article rules for its "
                             "URLs, as the crawl did (repeatable)")
    parser.add_argument("--no-stylesheets", action="store_false", dest="stylesheets",
                        help="judge each page alone, as the crawl did, without the linked "
                             "stylesheets captured in the same WARCs")
    add_sites_dir_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from scrapy.exporters import JsonLinesItemExporter

    from archiver.console.errors import usable_file
    from archiver.sites import SiteConfigError, load_sites, sites_dir
    from archiver.toolkit.inputs import warc_paths
    from archiver.toolkit.reextract import reextract

    warcs = warc_paths(args.inputs)
    try:
        sites = load_sites(args.sites, sites_dir(args.sites_dir)) if args.sites else []
    except SiteConfigError as error:
        raise UsageError(str(error)) from None
    if args.jobs is not None and args.jobs < 1:
        raise UsageError(f"--jobs {args.jobs}: give a number of processes >= 1")
    usable_file(args.output)  # before the analysis: a bad -o costs nothing
    result = reextract(warcs, args.jobs, sites, args.stylesheets)
    with open(args.output, "wb") as stream:
        exporter = JsonLinesItemExporter(stream, encoding="utf-8")
        exporter.start_exporting()
        for item in result.items:
            exporter.export_item(item)
        exporter.finish_exporting()
    for problem in result.problems:
        print(problem, file=sys.stderr)
    print(f"{len(warcs)} WARC files, {result.records} HTTP records, "
          f"{len(result.items)} articles -> {args.output}"
          + (f", {result.missing_stylesheets} linked stylesheets not in the WARCs (those "
             "verdicts made without them)" if result.missing_stylesheets else "")
          + (f", {len(result.problems)} problems (named above; the rest was written)"
             if result.problems else ""))
    return ExitCode.FAILED if result.problems else ExitCode.OK
