"""``archiver crawl``: crawl start URLs on their own hosts into WARCs and items."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from urllib.parse import urlsplit

from archiver.runner import SettingError, parse_overrides, run_crawl
from archiver.summary import print_summary


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "crawl", help="crawl start URLs (their own hosts) into WARC files and items"
    )
    parser.add_argument("--url", action="append", required=True, dest="urls", metavar="URL",
                        help="start URL (repeatable); links on its host are followed")
    parser.add_argument("--output", type=Path, default=Path("output"), metavar="DIR",
                        help="archive root: WARCs in DIR/warc/, items in DIR/*.jsonl")
    parser.add_argument("--max-pages", type=int, metavar="N",
                        help="stop after N responses (CLOSESPIDER_PAGECOUNT)")
    parser.add_argument("--crawl-id", metavar="ID", help="crawl id (default: crawl-<time>)")
    parser.add_argument("-s", "--set", action="append", default=[], dest="settings",
                        metavar="NAME=VALUE", help="override a Scrapy or ARCHIVER_* setting")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    for url in args.urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            print(f"--url {url!r}: not an http(s) URL, e.g. --url https://example.org/",
                  file=sys.stderr)
            return 2
    try:
        overrides = parse_overrides(args.settings)
    except SettingError as error:
        print(error, file=sys.stderr)
        return 2
    result = run_crawl(
        "site", {"urls": ",".join(args.urls)}, args.output, args.crawl_id, args.max_pages,
        overrides,
    )
    print_summary(result)
    return 0 if result.ok else 1
