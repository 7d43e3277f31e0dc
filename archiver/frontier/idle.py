"""Workers stop once the shared frontier has stayed empty for a while.

A worker whose own downloader is idle and whose view of the Redis queue is
empty cannot know that another worker is not about to push the links of a
page it is parsing. It keeps the spider open (``DontCloseSpider``) until the
frontier has been empty for ``ARCHIVER_FRONTIER_IDLE_CLOSE`` seconds. Scrapy
re-checks an idle spider on its 5-second heartbeat, so the wait is rounded
up to that; nothing here blocks the reactor (scrapy-redis's
``SCHEDULER_IDLE_BEFORE_CLOSE`` would, in a blocking pop).
"""

from __future__ import annotations

import time

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured

from archiver.frontier.settings import FRONTIER_SETTING


class FrontierIdleClose:
    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.get(FRONTIER_SETTING):
            raise NotConfigured(f"{FRONTIER_SETTING} is not set")
        self.timeout = crawler.settings.getfloat("ARCHIVER_FRONTIER_IDLE_CLOSE")
        self.stats = crawler.stats
        self.idle_since: float | None = None
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.busy, signal=signals.request_reached_downloader)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierIdleClose:
        return cls(crawler)

    def busy(self) -> None:
        self.idle_since = None

    def spider_idle(self, spider: Spider) -> None:
        now = time.monotonic()
        if self.idle_since is None:
            self.idle_since = now
        self.stats.set_value("archiver/frontier/idle_seconds", round(now - self.idle_since, 1))
        if now - self.idle_since < self.timeout:
            raise DontCloseSpider
