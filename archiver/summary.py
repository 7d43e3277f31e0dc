"""The end-of-run summary (console and catalog) and the run's outcome for schedulers.

Both are computed from Scrapy's stats alone, so the catalog extension (inside
the crawl) and the CLI (after it) report the same figures.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from archiver.access.expectation import access_lost
from archiver.paywall.verdict import KINDS

if TYPE_CHECKING:
    from archiver.runner import CrawlResult

GOOD_FINISH_REASONS = frozenset({"finished", "closespider_pagecount", "closespider_itemcount"})
PAUSED_FINISH_REASONS = frozenset({"shutdown"})

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_PAUSED = 3


@dataclass(frozen=True)
class Outcome:
    status: str
    exit_code: int
    reason: str


def run_summary(stats: dict[str, Any]) -> dict[str, Any]:
    """Pages, articles, paywalls by kind, revisits, bytes and errors of one run."""
    return {
        "finish_reason": str(stats.get("finish_reason", "not started")),
        "pages": stats.get("archiver/warc/responses", 0),
        "revisits_not_modified": stats.get("archiver/warc/revisits/not_modified", 0),
        "revisits_identical": stats.get("archiver/warc/revisits/identical", 0),
        "conditional_requests": stats.get("archiver/recrawl/conditional", 0),
        "skipped_recently_captured": stats.get("archiver/recrawl/skipped_fresh", 0),
        "articles": stats.get("item_scraped_count", 0),
        "paywalled": {kind: stats.get(f"archiver/paywall/{kind}", 0) for kind in KINDS},
        "truncated": stats.get("archiver/paywall/truncated", 0),
        "warc_bytes": stats.get("archiver/warc/bytes", 0),
        "warc_files": stats.get("archiver/warc/files", 0),
        "fetch_errors": stats.get("archiver/warc/fetch_errors", 0),
        "errors_logged": stats.get("log_count/ERROR", 0),
        "access_lost": access_lost(stats),
    }


def outcome(stats: dict[str, Any]) -> Outcome:
    """``finished`` (0), ``paused`` (3: resumable from JOBDIR) or ``failed`` (1).

    A run that ends "finished" without a single response (site down, DNS gone,
    every connection refused) is a failure too: schedulers must alert on it, as on
    a subscriber crawl that lost its expected access (:mod:`archiver.access`).
    """
    reason = str(stats.get("finish_reason", "not started"))
    if reason in PAUSED_FINISH_REASONS:
        return Outcome("paused", EXIT_PAUSED, reason)
    if reason not in GOOD_FINISH_REASONS:
        return Outcome("failed", EXIT_FAILED, reason)
    if stats.get("downloader/request_count", 0) and not stats.get("downloader/response_count"):
        return Outcome("failed", EXIT_FAILED, "no response at all")
    lost = access_lost(stats)
    if lost:
        return Outcome("failed", EXIT_FAILED, "expected full access lost on " + ", ".join(lost))
    return Outcome("finished", EXIT_OK, reason)


def summary_lines(result: CrawlResult) -> list[str]:
    summary = run_summary(result.stats)
    state = outcome(result.stats)
    rows: list[tuple[str, object]] = [
        ("pages archived", summary["pages"]),
        ("revisits, 304", summary["revisits_not_modified"]),
        ("revisits, duplicate", summary["revisits_identical"]),
        ("fetch errors", summary["fetch_errors"]),
        ("errors logged", summary["errors_logged"]),
        ("articles", summary["articles"]),
    ]
    rows += [(f"access lost, {site}", f"gated from {url}")
             for site, url in summary["access_lost"].items()]
    rows += [
        (f"paywalled, {kind}", count) for kind, count in summary["paywalled"].items() if count
    ]
    rows += [
        ("truncated", summary["truncated"]),
        ("WARC bytes", summary["warc_bytes"]),
        ("WARC files", result.output_dir / "warc"),
        ("items", result.items_path),
    ]
    return [f"crawl {result.crawl_id}: {state.status} ({state.reason})"] + [
        summary_row(label, value) for label, value in rows
    ]


def summary_row(label: str, value: object) -> str:
    return f"  {label + ':':<22}{value}"


def print_summary(result: CrawlResult) -> None:
    """The summary on stdout, or why the run did not start on stderr."""
    if result.refusal:
        print(result.refusal, file=sys.stderr)
        return
    print("\n".join(summary_lines(result)))
