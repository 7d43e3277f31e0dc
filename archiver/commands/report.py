"""``archiver report DIR -o report.html``: a static HTML report on paywalls across runs."""

from __future__ import annotations

import argparse
from pathlib import Path

from archiver.console.errors import UsageError
from archiver.run.outcome import ExitCode


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report", help="write a static HTML report: paywalled share per site, kind and run"
    )
    parser.add_argument("directory", type=Path, metavar="DIR",
                        help="a crawl's output directory (its *.jsonl item files)")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="REPORT.html")
    parser.add_argument("--title", default="Paywall report", help="the report's title")
    parser.add_argument("--catalog", metavar="URL",
                        help="catalog database URL (default: DIR/catalog.sqlite when it exists, "
                             "else the item files of DIR are read)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from archiver.console.errors import usable_file
    from archiver.toolkit.kinds import file_kind, wrong_kind
    from archiver.toolkit.report import load_report_data, render_report

    if args.directory.is_file():
        raise UsageError(wrong_kind(str(args.directory), file_kind(args.directory),
                                    "a crawl's output directory (the --output of archiver crawl)"))
    usable_file(args.output)
    data = load_report_data(args.directory, args.catalog)
    args.output.write_text(render_report(data, args.title), encoding="utf-8")
    print(f"{args.output}: {len(data.articles)} articles in {len(data.runs)} runs "
          f"(from {data.source})")
    return ExitCode.OK
