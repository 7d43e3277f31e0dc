"""Expected access: a subscriber crawl that starts getting walls stops and says so.

An operator who crawls with a subscription (``ARCHIVER_COOKIES_FILE``) expects
every article in full (``ARCHIVER_EXPECT_ACCESS=full``, or a site config's
``expect_access: full``). When the login expires, the site changes its wall or
the account is blocked, captures quietly turn into teasers; crawling on would
fill the archive with walls and hide the failure in a green run. After
``ARCHIVER_EXPECT_ACCESS_AFTER`` gated captures in a row on one site, that
site's remaining requests are dropped (pages already downloaded are still
parsed: with ``DOWNLOAD_DELAY`` spacing requests, as by default, that is none or
one), the reason is logged once, and the run
summary names the site and its first gated URL; the run then counts as failed
(:func:`archiver.run.outcome.outcome`), so a scheduler alerts.

It is a downloader middleware (to drop the stopped site's requests before they
are sent) that also installs the operator's cookies into Scrapy's cookie
middleware when the spider opens.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from itemadapter import ItemAdapter
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.cookies import CookiesMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from archiver.access.cookies import load_cookie_file
from archiver.paywall.verdict import PaywallVerdict

LOST_STAT_PREFIX = "archiver/access/lost/"
"""``archiver/access/lost/<site>`` holds the site's first gated URL."""

logger = logging.getLogger(__name__)


def access_lost(stats: dict[str, Any]) -> dict[str, str]:
    """``{site: first gated URL}`` for every site the run stopped."""
    return {name.removeprefix(LOST_STAT_PREFIX): str(value) for name, value in stats.items()
            if name.startswith(LOST_STAT_PREFIX)}


class AccessExpectation:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.expect_all = (settings.get("ARCHIVER_EXPECT_ACCESS") or "").lower() == "full"
        self.after = max(1, settings.getint("ARCHIVER_EXPECT_ACCESS_AFTER"))
        self.cookies_file: str = settings.get("ARCHIVER_COOKIES_FILE") or ""
        self.streaks: dict[str, list[tuple[str, str]]] = {}
        """Per site, the current run of gated verdicts as ``(fetched_at, url)``."""
        self.stopped: dict[str, tuple[str, str]] = {}
        """Per stopped site, its earliest-fetched gated capture known so far."""
        self.expecting = self.expect_all
        """Full access expected anywhere (set when the spider opens, its sites known):
        when not, items are not looked at at all."""
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AccessExpectation:
        return cls(crawler)

    def spider_opened(self, spider: Spider) -> None:
        self.expecting = self.expect_all or any(
            scope.config.expect_access == "full"
            for scope in getattr(spider, "scopes", {}).values())
        if not self.cookies_file:
            return
        cookies = load_cookie_file(self.cookies_file)
        middleware = self.crawler.get_downloader_middleware(CookiesMiddleware)
        if middleware is None:
            logger.error("ARCHIVER_COOKIES_FILE is set but COOKIES_ENABLED is off: "
                         "the cookies in %s are not sent", self.cookies_file)
            return
        for cookie in cookies:
            middleware.jars[None].jar.set_cookie(cookie)
        self.stats.set_value("archiver/access/cookies_loaded", len(cookies))

    def _site(self, url: str) -> tuple[str, bool]:
        """The site config a URL belongs to (its host without one), and whether full
        access is expected there."""
        for name, scope in getattr(self.crawler.spider, "scopes", {}).items():
            if scope.owns(url):
                return name, self.expect_all or scope.config.expect_access == "full"
        return urlsplit(url).hostname or url, self.expect_all

    def process_request(self, request: Request) -> None:
        if not self.stopped:
            return
        site, _ = self._site(request.url)
        if site in self.stopped:
            self.stats.inc_value("archiver/access/skipped")
            raise IgnoreRequest(f"{site}: stopped, expected full access was lost")

    def item_scraped(self, item: Any, response: Response, spider: Spider) -> None:
        if not self.expecting:
            return
        adapter = ItemAdapter(item)
        verdict = adapter.get("paywall")
        url = adapter.get("url") or response.url
        site, expected = self._site(url)
        if verdict is None or not expected:
            return
        detected = PaywallVerdict.from_dict(verdict).detected
        capture = (adapter.get("fetched_at") or "", url)
        # Verdicts come back in the order analysis finishes them (one worker per
        # core), not the order pages were fetched: the site's first gated capture
        # is the earliest WARC-Date (to the microsecond) among its gated verdicts,
        # and one that was still being analysed when the site stopped may move it.
        if site in self.stopped:
            if detected and capture < self.stopped[site]:
                self._lost(site, capture)
            return
        if not detected:
            self.streaks.pop(site, None)
            return
        self.stats.inc_value("archiver/access/gated")
        streak = self.streaks.setdefault(site, [])
        streak.append(capture)
        if len(streak) < self.after:
            return
        self._lost(site, min(streak))
        self.stats.inc_value("archiver/access/sites_lost")
        logger.error(
            "%s: %d gated captures in a row, the first %s, although full access is "
            "expected (ARCHIVER_EXPECT_ACCESS): check the subscription's cookies "
            "(ARCHIVER_COOKIES_FILE); the site's remaining requests are dropped",
            site, len(streak), self.stopped[site][1])

    def _lost(self, site: str, first: tuple[str, str]) -> None:
        """Record ``site`` as stopped, ``first`` its earliest gated capture so far."""
        self.stopped[site] = first
        self.stats.set_value(LOST_STAT_PREFIX + site, first[1])
