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
from archiver.paywall import PaywallHints
from archiver.paywall.rendered import find_rendered_signals
from archiver.render.browser import RenderUnavailable, launch
from archiver.render.consent import parse_policy
from archiver.render.page import PageRendering, RequestFor, render_page
from archiver.render.tabs import TabPool
from archiver.sites import SiteConfig

if TYPE_CHECKING:
    from playwright.async_api import Browser, Playwright
    from scrapy.http import Request, Response

logger = logging.getLogger(__name__)

DOM_URN_PREFIX = "urn:rendered-dom:"
SCREENSHOT_URN_PREFIX = "urn:screenshot:"
SCREENSHOT_SIZE = "WARC-Screenshot-Size"
SCREENSHOT_PAGE_SIZE = "WARC-Screenshot-Page-Size"
"""The screenshot's and the whole page's ``WIDTHxHEIGHT`` in CSS pixels: a page taller
than ``ARCHIVER_RENDER_SCREENSHOT_HEIGHT`` is shot from its top down to that height."""
TAB_RENDERS = 50
"""Articles a tab renders before it is closed and a new one opened (memory)."""


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
        self.concurrency = settings.getint("ARCHIVER_RENDER_CONCURRENCY")
        self.slots = asyncio.Semaphore(self.concurrency)
        self.max_height = settings.getint("ARCHIVER_RENDER_SCREENSHOT_HEIGHT")
        self._starting: asyncio.Lock | None = None
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self.tabs: TabPool | None = None
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

    async def _tabs_ready(self) -> TabPool | None:
        if self._starting is None:
            self._starting = asyncio.Lock()
        async with self._starting:
            if self.tabs is None and self.unavailable is None:
                try:
                    self._playwright, self._browser = await launch(self.chromium)
                except Exception as error:  # missing, or failing to start: crawl on, raw
                    self.unavailable = (str(error) if isinstance(error, RenderUnavailable)
                                        else f"Chromium did not start ({error})")
                    logger.error("%s; articles are archived and judged without rendering",
                                 self.unavailable)
                    return None
                cookies = (browser_cookies(load_cookie_file(self.cookies_file))
                           if self.cookies_file else None)
                self.tabs = TabPool(self._browser, self.concurrency, TAB_RENDERS, cookies,
                                    self.timeout_ms)
        return self.tabs

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
        keeps its raw verdict, and the tab it failed in is closed.
        """
        capture: RecordLink | None = response.meta.get(LINK_META_KEY)
        if analysis.article is None or capture is None or not self.wants(config):
            return None
        tabs = await self._tabs_ready()
        if tabs is None:
            return None
        async with self.slots:
            tab = await tabs.take(config.name)
            try:
                rendering = await render_page(
                    tab, response, analysis.article.word_count, request_for,
                    self._download, settle_ms=self.settle_ms, timeout_ms=self.timeout_ms,
                    consent=self.consent, max_height=self.max_height,
                )
            except Exception as error:
                await tabs.discard(config.name, tab)
                self.stats.inc_value("archiver/render/failed")
                logger.warning("%s: rendering failed (%s: %s); judged from the raw capture",
                               response.url, type(error).__name__, error)
                return None
            await tabs.give_back(config.name, tab)
        links = self._write(response, capture, rendering)
        raw = analysis.paywall
        if raw is None or find_rendered_signals(rendering.facts, raw.visible_words):
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
        shot = rendering.screenshot
        screenshot = writer.write(records.derived_record(
            SCREENSHOT_URN_PREFIX + response.url, "resource", shot.png, "image/png", date,
            response_id, headers={
                SCREENSHOT_SIZE: f"{shot.width}x{shot.height}",
                SCREENSHOT_PAGE_SIZE: f"{shot.width}x{shot.page_height}"}))
        self.stats.inc_value("archiver/render/pages")
        self.stats.inc_value("archiver/render/subresources", len(rendering.fetched))
        self.stats.inc_value("archiver/render/blocked", len(rendering.blocked))
        if rendering.facts.consent_actions:
            self.stats.inc_value("archiver/render/consent_clicks")
        if shot.clipped:
            self.stats.inc_value("archiver/render/screenshots_clipped")
        return {"dom": record_link(dom),
                "screenshot": {**record_link(screenshot), "height": shot.height,
                               "page_height": shot.page_height},
                "subresources": rendering.fetched, "blocked": rendering.blocked,
                "consent": list(rendering.facts.consent_actions)}

    async def _rescore(self, response: Response, analysis: PageAnalysis,
                       hints: PaywallHints, rendering: PageRendering) -> Any:
        """The verdict again, with the rendered facts (in the analysis pool, off the reactor).

        Only when the rendered page gave a signal: without one the signals, and so
        the verdict, are the raw capture's, and detecting again would cost a second
        detection per article for nothing."""
        from archiver.paywall.detector import detect_paywall  # the crawling process: lazily

        page = captured_page(response)
        pool = self.crawler.get_extension(AnalysisPool)
        arguments = (page, analysis.article, hints, rendering.facts)
        deferred = (pool.run(detect_paywall, *arguments) if pool is not None
                    else deferToThread(detect_paywall, *arguments))
        return await maybe_deferred_to_future(deferred)

    async def spider_closed(self) -> None:
        if self.tabs is not None:
            await self.tabs.close()
        if self._browser is not None:
            await self._browser.close()
        if self._playwright is not None:
            await self._playwright.stop()
        self._browser = self._playwright = self.tabs = None
