"""The benchmark crawls' extension: stats as JSON at close, HTML pages counted
alike for every crawler (``bench/pages``: responses whose path matches
``BENCH_PAGE_PATHS``), and a loopback-only guard.

The real-page site is made of publishers' pages whose scripts and JSON-LD still
name their own hosts; the guard drops any request for a host other than
127.0.0.1 (``request_scheduled`` handlers may raise ``IgnoreRequest``), so no
benchmark crawl can leave the machine whatever a page links to.
"""

from __future__ import annotations

import atexit
import json
import re
import resource
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

LOOPBACK = "127.0.0.1"


class StatsDump:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.path = Path(crawler.settings["BENCH_STATS_PATH"])
        self.pages = re.compile(crawler.settings.get("BENCH_PAGE_PATHS") or ".")
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(self.response_received, signal=signals.response_received)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StatsDump:
        return cls(crawler)

    def request_scheduled(self, request: Request) -> None:
        if urlsplit(request.url).hostname != LOOPBACK:
            self.crawler.stats.inc_value("bench/offsite_dropped")
            raise IgnoreRequest(f"benchmark crawls stay on {LOOPBACK}: {request.url}")

    def response_received(self, response: Response) -> None:
        if response.status in (200, 304) and self.pages.match(urlsplit(response.url).path):
            self.crawler.stats.inc_value("bench/pages")

    def spider_closed(self) -> None:
        """The stats, and the crawling process's own CPU (the tree's, less this, is what
        its analysis workers used); at the process's exit, its CPU again
        (``bench/crawler_exit_cpu_s``): what it spends after the spider closed (the
        pool's and the catalog's shutdown, the exit) is its own too."""
        self.crawler.stats.set_value("bench/crawler_cpu_s", _own_cpu())
        stats = self.crawler.stats.get_stats()
        self.path.write_text(json.dumps(stats, default=str))
        atexit.register(self._at_exit, stats)

    def _at_exit(self, stats: dict) -> None:
        stats["bench/crawler_exit_cpu_s"] = _own_cpu()
        self.path.write_text(json.dumps(stats, default=str))


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
