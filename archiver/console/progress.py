"""A crawl's progress for the person running it: pages, articles, paywalls, errors, rate.

On a terminal it is one live line, redrawn four times a second (rich); in a
log or a pipe (cron, systemd) it is one line every
``ARCHIVER_PROGRESS_INTERVAL`` seconds, with no control characters. Scrapy's
own once-a-minute ``LogStats`` line stays in the log file.

``ARCHIVER_PROGRESS``: ``off`` (the default for ``scrapy crawl``, which has its
own log), ``auto`` (what ``archiver crawl`` sets: live on a terminal, lines
elsewhere), ``live`` or ``lines``.
"""

from __future__ import annotations

import logging
import sys
import time
from collections import deque
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from scrapy import Spider, signals
from scrapy.exceptions import NotConfigured
from twisted.internet.task import LoopingCall

from archiver.run.outcome import run_summary

if TYPE_CHECKING:
    from rich.live import Live
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

MODES = ("off", "auto", "live", "lines")
LIVE_REFRESH = 0.25  # seconds between redraws of the live line
RATE_WINDOW = 10.0  # seconds over which the rate is measured


def progress_mode(value: Any) -> str:
    """``ARCHIVER_PROGRESS``'s check (see :mod:`archiver.setting_types`)."""
    if value not in MODES:
        raise ValueError(f"expected one of {', '.join(MODES)}")
    return str(value)


def progress_line(stats: dict[str, Any], elapsed: float, rate: float) -> str:
    summary = run_summary(stats)
    paywalled = {kind: n for kind, n in summary["paywalled"].items() if n}
    kinds = ", ".join(f"{kind} {n}" for kind, n in paywalled.items())
    errors = summary["fetch_errors"] + summary["errors_logged"]
    return (f"{summary['pages']} pages, {summary['articles']} articles, "
            f"{sum(paywalled.values())} paywalled" + (f" ({kinds})" if kinds else "")
            + f", {errors} errors, {rate:.0f} pages/s, "
            f"{timedelta(seconds=int(elapsed))!s} elapsed")


class CrawlProgress:
    """Scrapy extension drawing :func:`progress_line` while the spider runs."""

    def __init__(self, crawler: Crawler, live: bool, interval: float) -> None:
        self.crawler = crawler
        self.live_mode = live
        self.interval = LIVE_REFRESH if live else interval
        self.started = time.monotonic()
        self.samples: deque[tuple[float, int]] = deque()
        self.live: Live | None = None
        self.task = LoopingCall(self.tick)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlProgress:
        mode = crawler.settings.get("ARCHIVER_PROGRESS") or "off"
        if mode == "off":
            raise NotConfigured("ARCHIVER_PROGRESS is off")
        if mode == "auto":
            mode = "live" if sys.stderr.isatty() else "lines"
        return cls(crawler, mode == "live", crawler.settings.getfloat("ARCHIVER_PROGRESS_INTERVAL"))

    def line(self) -> str:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        now = time.monotonic()
        pages = int(stats.get("archiver/warc/responses", 0))
        self.samples.append((now, pages))
        while len(self.samples) > 2 and now - self.samples[0][0] > RATE_WINDOW:
            self.samples.popleft()
        first_time, first_pages = self.samples[0]
        rate = (pages - first_pages) / (now - first_time) if now > first_time else 0.0
        return progress_line(stats, now - self.started, rate)

    def tick(self) -> None:
        if self.live is not None:
            from rich.text import Text

            self.live.update(Text(self.line()), refresh=True)
        else:
            logger.info("progress: %s", self.line())

    def spider_opened(self, spider: Spider) -> None:
        self.started = time.monotonic()
        if self.live_mode:
            from rich.console import Console
            from rich.live import Live

            self.live = Live(console=Console(stderr=True), auto_refresh=False,
                             redirect_stdout=False, redirect_stderr=True, transient=False)
            self.live.start()
        self.task.start(self.interval, now=self.live_mode)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.task.running:
            self.task.stop()
        if self.live is not None:
            self.tick()
            self.live.stop()
            self.live = None
