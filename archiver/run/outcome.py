"""A run's outcome for schedulers and its summary figures, from Scrapy's stats alone.

The catalog extension (inside the crawl) and the CLI (after it) both compute
them from the same stats, so they report the same figures. :class:`ExitCode`
is the one list of the ``archiver`` command's exit statuses (the README's
"Exit codes"); this module imports nothing heavy, so every verb can use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

GOOD_FINISH_REASONS = frozenset({"finished", "closespider_pagecount", "closespider_itemcount"})
PAUSED_FINISH_REASONS = frozenset({"shutdown"})


class ExitCode(IntEnum):
    """What ``archiver`` exits with; systemd units and cron lines test these."""

    OK = 0
    FAILED = 1
    """A failed crawl, an invalid WARC, a file that cannot be read or written."""
    USAGE = 2
    """Bad arguments, settings or input: nothing was done."""
    PAUSED = 3
    """Stopped by SIGINT/SIGTERM; the next run resumes from the JOBDIR."""
    LOCKED = 75
    """EX_TEMPFAIL (sysexits.h): another run holds the output directory; try again later."""
    INTERRUPTED = 128 + 2
    """Ctrl-C (SIGINT) stopped a verb that is not a crawl, as shells report it."""


@dataclass(frozen=True)
class Outcome:
    status: str
    exit_code: ExitCode
    reason: str


def run_summary(stats: dict[str, Any]) -> dict[str, Any]:
    """Pages, articles, paywalls by kind, revisits, bytes and errors of one run."""
    # Imported here, as in outcome(): they load Scrapy and the detector (1.5 s), which
    # verbs that only need ExitCode must not pay for.
    from archiver.access.expectation import access_lost
    from archiver.paywall.verdict import KINDS

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
    from archiver.access.expectation import access_lost

    reason = str(stats.get("finish_reason", "not started"))
    if reason in PAUSED_FINISH_REASONS:
        return Outcome("paused", ExitCode.PAUSED, reason)
    if reason not in GOOD_FINISH_REASONS:
        return Outcome("failed", ExitCode.FAILED, reason)
    if stats.get("downloader/request_count", 0) and not stats.get("downloader/response_count"):
        return Outcome("failed", ExitCode.FAILED, "no response at all")
    lost = access_lost(stats)
    if lost:
        return Outcome("failed", ExitCode.FAILED,
                       "expected full access lost on " + ", ".join(lost))
    return Outcome("finished", ExitCode.OK, reason)
