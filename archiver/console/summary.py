"""The end-of-run summary people read after ``archiver crawl`` and ``archiver demo``."""

from __future__ import annotations

import sys

from archiver.console.log import Problems
from archiver.run.outcome import outcome, run_summary
from archiver.run.runner import CrawlResult

CAUSES_SHOWN = 3
"""Error groups named in the summary (the log file holds every error)."""


def cause_lines(problems: Problems) -> list[str]:
    """The first errors, grouped by what they say: why a run failed, in a few lines."""
    lines = [summary_row("first errors" if n == 0 else "", f"{group.count} x {group.first}")
             for n, group in enumerate(problems.first(CAUSES_SHOWN))]
    more = len(problems.groups) - CAUSES_SHOWN
    if more > 0:
        lines.append(summary_row("", f"... and {more} other kinds of error"))
    return lines


def summary_lines(result: CrawlResult, problems: Problems | None = None) -> list[str]:
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
        ("log", result.log_path),
    ]
    lines = [f"crawl {result.crawl_id}: {state.status} ({state.reason})"]
    lines += [summary_row(label, value) for label, value in rows]
    return lines + (cause_lines(problems) if problems else [])


def summary_row(label: str, value: object) -> str:
    return f"  {label + ':' if label else '':<22}{value}"


def print_summary(result: CrawlResult, problems: Problems | None = None) -> None:
    """The summary on stdout, or why the run did not start on stderr."""
    if result.refusal:
        print(result.refusal, file=sys.stderr)
        return
    if problems and problems.hidden:
        print(f"{problems.hidden} more warnings and errors in {result.log_path}",
              file=sys.stderr)
    print("\n".join(summary_lines(result, problems)))
