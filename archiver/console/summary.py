"""The end-of-run summary people read after ``archiver crawl`` and ``archiver demo``."""

from __future__ import annotations

import sys

from archiver.run.outcome import outcome, run_summary
from archiver.run.runner import CrawlResult


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
        ("WARC files", result.layout.warc_dir),
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
