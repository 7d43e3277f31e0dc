"""The Scrapy extension that renders articles after their raw capture.

Why Playwright directly and not scrapy-playwright: scrapy-playwright is a
download handler, so the browser becomes the downloader: the ``Response`` the
capture middleware would archive is what Chromium fetched and decoded (its
headers, the rendered DOM as body), not Scrapy's wire fetch, and keeping the
raw capture would cost a second fetch of every article. Here the article is
fetched once, raw, by Scrapy and archived as today; the spider then hands the
archived response to :meth:`Renderer.render_article`, which renders exactly
those bytes (see :mod:`.page`), writes the rendered DOM (``conversion``) and a
full-page screenshot (``resource``) referring to the response record, and
re-scores the verdict with what the rendered page shows.

The browser starts on the first article that needs it, so crawls that render
nothing never launch Chromium; ``ARCHIVER_RENDER_CONCURRENCY`` bounds the pages
open at once (and with them Chromium's memory). A subresource is fetched once
per crawl and kept (up to ``ARCHIVER_RENDER_CACHE_BYTES``) for the next
articles, as a browser's cache would: a site's stylesheets and scripts are not
downloaded, and archived, again for every article.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from archiver.access.cookies import browser_cookies, load_cookie_file
from archiver.analysis import PageAnalysis, captured_page
from archiver.analysispool import AnalysisPool
from archiver.capture import records
from archiver.capture.link import LINK_META_KEY, RecordLink, RecordLocation
from archiver.capture.middleware import WarcCaptureMiddleware
from archiver.paywall import PaywallHints, detect_paywall
from archiver.render.browser import RenderUnavailable, launch
from archiver.render.consent import parse_policy
from archiver.render.page import PageRendering, RequestFor, render_page
from archiver.sites import SiteConfig

if TYPE_CHECKING:
    from playwright.async_api import Browser, Playwright
    from scrapy.http import Request, Response

logger = logging.getLogger(__name__)

DOM_URN_PREFIX = "urn:rendered-dom:"
SCREENSHOT_URN_PREFIX = "urn:screenshot:"


def record_link(location: RecordLocation) -> dict[str, Any]:
    """How an item points at a record (the fields ``CaptureLinkPipeline`` requires)."""
    return {"warc_filename": location.filename, "warc_offset": location.offset,
            "warc_record_id": location.record_id}


class Renderer:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.render_all = settings.getbool("ARCHIVER_RENDER")
        self.chromium: str = settings["ARCHIVER_RENDER_CHROMIUM"]
        self.settle_ms = int(settings.getfloat("ARCHIVER_RENDER_SETTLE") * 1000)
        self.timeout_ms = int(settings.getfloat("ARCHIVER_RENDER_TIMEOUT") * 1000)
        self.consent = parse_policy(settings.get("ARCHIVER_RENDER_CONSENT"))
        self.cookies_file: str = settings.get("ARCHIVER_COOKIES_FILE") or ""
        self.slots = asyncio.Semaphore(settings.getint("ARCHIVER_RENDER_CONCURRENCY"))
        self._starting: asyncio.Lock | None = None
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._cookies: list[dict[str, Any]] | None = None
        self.cache_budget = settings.getint("ARCHIVER_RENDER_CACHE_BYTES")
        self._cache: OrderedDict[str, asyncio.Future[Response]] = OrderedDict()
        self._cached_bytes: dict[str, int] = {}
        self._cache_total = 0
        self.unavailable: str | None = None
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Renderer:
        return cls(crawler)

    def wants(self, config: SiteConfig) -> bool:
        """``--render`` (``ARCHIVER_RENDER``) renders every site; ``render: articles`` one."""
        return self.render_all or config.render == "articles"

    async def _browser_ready(self) -> Browser | None:
        if self._starting is None:
            self._starting = asyncio.Lock()
        async with self._starting:
            if self._browser is None and self.unavailable is None:
                try:
                    self._playwright, self._browser = await launch(self.chromium)
                except Exception as error:  # missing, or failing to start: crawl on, raw
                    self.unavailable = (str(error) if isinstance(error, RenderUnavailable)
                                        else f"Chromium did not start ({error})")
                    logger.error("%s; articles are archived and judged without rendering",
                                 self.unavailable)
                if self.cookies_file:
                    self._cookies = browser_cookies(load_cookie_file(self.cookies_file))
        return self._browser

    async def render_article(
        self,
        response: Response,
        analysis: PageAnalysis,
        config: SiteConfig,
        hints: PaywallHints,
        request_for: RequestFor,
    ) -> dict[str, Any] | None:
        """Render an analysed article; the item's ``rendered`` links, or None.

        ``analysis.paywall`` is replaced by the verdict with the rendered signals.
        A render that fails (timeout, crash) is logged and counted; the article
        keeps its raw verdict.
        """
        capture: RecordLink | None = response.meta.get(LINK_META_KEY)
        if analysis.article is None or capture is None or not self.wants(config):
            return None
        browser = await self._browser_ready()
        if browser is None:
            return None
        async with self.slots:
            try:
                rendering = await render_page(
                    browser, response, analysis.article.word_count, request_for,
                    self._download, settle_ms=self.settle_ms,
                    timeout_ms=self.timeout_ms, consent=self.consent, cookies=self._cookies,
                )
            except Exception as error:
                self.stats.inc_value("archiver/render/failed")
                logger.warning("%s: rendering failed (%s: %s); judged from the raw capture",
                               response.url, type(error).__name__, error)
                return None
        links = self._write(response, capture, rendering)
        analysis.paywall = await self._rescore(response, analysis, hints, rendering)
        return links

    async def _download(self, request: Request) -> Response:
        """A subresource from this crawl's cache, else from Scrapy's downloader (and so
        archived); concurrent renders asking for one URL share one fetch."""
        url = request.url
        if url in self._cache:
            self._cache.move_to_end(url)
            self.stats.inc_value("archiver/render/cache_hits")
            return await asyncio.shield(self._cache[url])
        future = asyncio.ensure_future(self.crawler.engine.download_async(request))
        self._cache[url] = future
        try:
            response = await asyncio.shield(future)
        except BaseException:
            self._cache.pop(url, None)
            raise
        self._cached_bytes[url] = len(response.body)
        self._cache_total += len(response.body)
        while self._cache_total > self.cache_budget and self._cache:
            oldest, _ = self._cache.popitem(last=False)
            self._cache_total -= self._cached_bytes.pop(oldest, 0)
        return response

    def _write(self, response: Response, capture: RecordLink, rendering: PageRendering
               ) -> dict[str, Any]:
        writer = self.crawler.get_downloader_middleware(WarcCaptureMiddleware).writer
        date = records.warc_date()
        response_id = capture.location.record_id
        dom = writer.write(records.derived_record(
            DOM_URN_PREFIX + response.url, "conversion", rendering.dom,
            "text/html; charset=utf-8", date, response_id))
        screenshot = writer.write(records.derived_record(
            SCREENSHOT_URN_PREFIX + response.url, "resource", rendering.screenshot,
            "image/png", date, response_id))
        self.stats.inc_value("archiver/render/pages")
        self.stats.inc_value("archiver/render/subresources", len(rendering.fetched))
        self.stats.inc_value("archiver/render/blocked", len(rendering.blocked))
        if rendering.facts.consent_actions:
            self.stats.inc_value("archiver/render/consent_clicks")
        return {"dom": record_link(dom), "screenshot": record_link(screenshot),
                "subresources": rendering.fetched, "blocked": rendering.blocked,
                "consent": list(rendering.facts.consent_actions)}

    async def _rescore(self, response: Response, analysis: PageAnalysis,
                       hints: PaywallHints, rendering: PageRendering) -> Any:
        """The verdict again, with the rendered facts (in the analysis pool, off the reactor)."""
        page = captured_page(response)
        pool = self.crawler.get_extension(AnalysisPool)
        arguments = (page, analysis.article, hints, rendering.facts)
        deferred = (pool.run(detect_paywall, *arguments) if pool is not None
                    else deferToThread(detect_paywall, *arguments))
        return await maybe_deferred_to_future(deferred)

    async def spider_closed(self) -> None:
        if self._browser is not None:
            await self._browser.close()
        if self._playwright is not None:
            await self._playwright.stop()
        self._browser = self._playwright = None
