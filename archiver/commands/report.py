"""``archiver report DIR -o report.html``: a static HTML report on paywalls across runs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from archiver.toolkit.inputs import InputError
from archiver.toolkit.report import load_articles, render_report


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report", help="write a static HTML report: paywalled share per site, kind and run"
    )
    parser.add_argument("directory", type=Path, metavar="DIR",
                        help="a crawl's output directory (its *.jsonl item files)")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="REPORT.html")
    parser.add_argument("--title", default="Paywall report", help="the report's title")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        articles = load_articles(args.directory)
    except InputError as error:
        print(error, file=sys.stderr)
        return 2
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render_report(articles, args.title), encoding="utf-8")
    print(f"{args.output}: {len(articles)} articles")
    return 0
