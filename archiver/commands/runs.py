"""``archiver runs``: past runs and their summaries, or one article's verdict history.

Reads the catalog (``DIR/catalog.sqlite`` or ``--catalog URL``). ``--json``
prints one JSON object per run (its summary, stats and settings), for scripts.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from archiver.console.table import format_table
from archiver.layout import CATALOG_FILENAME, default_catalog_url
from archiver.run.outcome import ExitCode

if TYPE_CHECKING:
    from archiver.catalog.models import Crawl
    from archiver.catalog.store import CatalogStore

COLUMNS = ("crawl", "started (UTC)", "took", "status", "exit", "pages", "304", "dup",
           "articles", "paywalled", "bytes", "errors")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("runs", help="list past runs with their stats (the catalog)")
    parser.add_argument("--output", type=Path, default=Path("output"), metavar="DIR",
                        help=f"archive root whose {CATALOG_FILENAME} to read")
    parser.add_argument("--catalog", metavar="URL",
                        help="catalog database URL (as ARCHIVER_CATALOG_URL), e.g. "
                        "postgresql://host/archive")
    parser.add_argument("--limit", type=int, default=20, metavar="N",
                        help="newest N runs (default 20; 0 for all)")
    parser.add_argument("--json", action="store_true", help="one JSON object per run")
    parser.add_argument("--history", metavar="URL",
                        help="instead, the paywall verdict history of this article URL")
    parser.set_defaults(func=run)


def _row(crawl: Crawl) -> tuple[str, ...]:
    summary = crawl.summary or {}
    took = ""
    if crawl.finished_at:
        took = str(crawl.finished_at - crawl.started_at).split(".")[0]
    paywalled = sum((summary.get("paywalled") or {}).values())
    errors = summary.get("fetch_errors", 0) + summary.get("errors_logged", 0)
    return (
        crawl.id, f"{crawl.started_at:%Y-%m-%d %H:%M:%S}", took, crawl.status,
        "" if crawl.exit_code is None else str(crawl.exit_code),
        *(str(summary.get(key, "")) for key in
          ("pages", "revisits_not_modified", "revisits_identical", "articles")),
        str(paywalled) if summary else "", str(summary.get("warc_bytes", "")),
        str(errors) if summary else "",
    )


def _as_json(crawl: Crawl) -> str:
    return json.dumps({
        "id": crawl.id, "spider": crawl.spider, "status": crawl.status,
        "started_at": crawl.started_at.isoformat(),
        "finished_at": crawl.finished_at.isoformat() if crawl.finished_at else None,
        "finish_reason": crawl.finish_reason, "exit_code": crawl.exit_code,
        "summary": crawl.summary, "stats": crawl.stats, "settings": crawl.settings,
    }, sort_keys=True)


def run(args: argparse.Namespace) -> int:
    from archiver.catalog.store import CatalogStore

    url = args.catalog or default_catalog_url(args.output)
    if not args.catalog and not (args.output / CATALOG_FILENAME).exists():
        print(f"{args.output / CATALOG_FILENAME}: no catalog here; give the --output DIR "
              "of a crawl, or --catalog URL", file=sys.stderr)
        return ExitCode.FAILED
    store = CatalogStore(url, migrate=False)
    try:
        if args.history:
            return _history(store, args.history, args.json)
        crawls = store.crawls(args.limit or None)
        if args.json:
            for crawl in crawls:
                print(_as_json(crawl))
        elif crawls:
            print(format_table([COLUMNS, *map(_row, crawls)]))
            for crawl in crawls:
                for site, url in ((crawl.summary or {}).get("access_lost") or {}).items():
                    print(f"{crawl.id}: expected full access lost on {site}, gated from {url}")
        else:
            print("no runs in the catalog yet")
    finally:
        store.close()
    return ExitCode.OK


def _history(store: CatalogStore, url: str, as_json: bool) -> int:
    verdicts = store.verdict_history(url)
    if not verdicts:
        print(f"{url}: no verdicts in the catalog (not captured as an article)", file=sys.stderr)
        return ExitCode.FAILED
    for verdict in verdicts:
        capture = verdict.capture
        entry = {
            "observed_at": verdict.observed_at.isoformat(), "crawl": verdict.crawl_id,
            "detected": verdict.detected, "kind": verdict.kind, "truncated": verdict.truncated,
            "declared": verdict.declared, "not_modified": verdict.not_modified,
            "warc_filename": capture.warc_filename, "warc_offset": capture.warc_offset,
        }
        if as_json:
            print(json.dumps(entry, sort_keys=True))
        else:
            state = f"paywalled ({verdict.kind})" if verdict.detected else "free"
            flag = " [304: unchanged page, re-analysed]" if verdict.not_modified else ""
            print(f"{entry['observed_at']}  {verdict.crawl_id}  {state}{flag}  "
                  f"{capture.warc_filename}@{capture.warc_offset}")
    return ExitCode.OK
