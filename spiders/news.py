"""``news``: crawl news sites described by site configs (``spiders/sites/*.yaml``).

``scrapy crawl news -a site=NAME[,NAME...] [-a since=2d]`` reads each site's
home and section pages, its feeds and sitemaps (those in the config, those its
robots.txt names, those its pages announce with ``<link rel="alternate">``),
follows links that look like articles, and emits an item for every fetched
page that is an article. Everything fetched is archived, including robots.txt,
feeds, sitemaps and, for article pages, the stylesheets, scripts, images and
fonts a reader's browser would load.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse, XmlResponse
from scrapy.robotstxt import ProtegoRobotParser
from scrapy.settings import BaseSettings
from scrapy.utils.misc import load_object
from scrapy.utils.sitemap import sitemap_urls_from_robots

from archiver.analysis import (
    Depth,
    PageAnalysis,
    analyse_response,
    article_item,
    crawl_depth,
    reuse_stored,
)
from archiver.analysispool import AnalysisPool
from archiver.capture.link import DISCOVERY_KEY_META_KEY, LINK_META_KEY, STORED_PAGE_META_KEY
from archiver.capture.recrawl import with_lastmod
from archiver.catalog.extension import catalog_store
from archiver.catalog.store import CatalogStore
from archiver.discovery.classifier import url_date
from archiver.discovery.feeds import feed_entries
from archiver.discovery.freshness import Freshness, parse_since
from archiver.discovery.links import css_references
from archiver.discovery.scope import SiteScope
from archiver.discovery.sitemaps import (
    SitemapRobotParser,
    is_sitemap,
    parse_sitemap,
    sitemap_body,
)
from archiver.paywall import PaywallHints
from archiver.render.extension import Renderer
from archiver.reuse import StoredPage, discovery_key, remember_discovery, stored_page
from archiver.sites import SiteConfig, load_sites, sites_dir
from archiver.sites.config import REQUISITE_KINDS

logger = logging.getLogger(__name__)

SITE_META = "archiver_site"
HOPS_META = "archiver_hops"
REQUISITE_META = "archiver_requisite"

# Scheduler order: sitemaps and feeds first (they name the articles), then
# articles, then hub pages; requisites last, so replay material never delays news.
DISCOVERY_PRIORITY = 20
ARTICLE_PRIORITY = 10
PAGE_PRIORITY = 0
REQUISITE_PRIORITY = -10


class NewsSpider(scrapy.Spider):
    name = "news"

    def __init__(self, site: str = "", since: str = "", *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.site_names = [s.strip() for s in site.split(",") if s.strip()]
        self.freshness = Freshness(parse_since(since) if since else None)
        self.scopes: dict[str, SiteScope] = {}
        self.hints: dict[str, PaywallHints] = {}
        self.discovery_keys: dict[str, str] = {}
        self.depth = Depth.FULL
        self.reanalyse = False
        # The page links and requisites this spider has asked for, each URL once. A news
        # page links the same hubs, articles and static files as its neighbours (on the
        # fundus benchmark site about 120 links and 40 requisites a page, nearly all seen
        # before); building a Request for each repeat, only for the dupefilter to drop
        # it, was a third of the crawling process's CPU. Kept apart because Scrapy may
        # treat the same URL differently as a page (offsite rules) and as a requisite.
        self.requested_pages: set[str] = set()
        self.requested_requisites: set[str] = set()
        self.replay_keys: dict[str, str | None] = {}
        """Each site's discovery key as its page requests carry it to the recrawl
        middleware (``None``: not sent, the page is analysed or rendered again)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        """Load and validate the configs before the engine exists: a bad one stops the
        crawl before any request. Per-site politeness becomes Scrapy download slots."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        configs = spider.site_configs(crawler.settings)
        spider.scopes = {config.name: SiteScope(config) for config in configs}
        spider.hints = {config.name: config.paywall_hints() for config in configs}
        spider.discovery_keys = {config.name: discovery_key(config) for config in configs}
        spider.allowed_domains = sorted({d for c in configs for d in c.allowed_domains})
        spider.depth = crawl_depth(crawler.settings)
        spider.reanalyse = crawler.settings.getbool("ARCHIVER_REANALYSE")
        spider._apply_site_settings(crawler.settings)
        crawler.signals.connect(spider.robots_parsed, signal=signals.robots_parsed)
        return spider

    def site_configs(self, settings: BaseSettings) -> list[SiteConfig]:
        if not self.site_names:
            raise ValueError("the news spider needs a site: -a site=NAME[,NAME...] "
                             "(see `archiver sites`)")
        return load_sites(self.site_names, sites_dir(settings.get("ARCHIVER_SITES_DIR")))

    def _apply_site_settings(self, settings: BaseSettings) -> None:
        if load_object(settings["ROBOTSTXT_PARSER"]) is ProtegoRobotParser:
            settings.set("ROBOTSTXT_PARSER", SitemapRobotParser, priority="spider")
        slots = dict(settings.getdict("DOWNLOAD_SLOTS"))
        for scope in self.scopes.values():
            politeness = scope.config.politeness
            slot = {
                "concurrency": politeness.concurrency,
                "delay": politeness.download_delay,
            }
            if any(value is not None for value in slot.values()):
                slots[self.slot_name(scope)] = {
                    "concurrency": politeness.concurrency
                    or settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"),
                    "delay": politeness.download_delay
                    if politeness.download_delay is not None
                    else settings.getfloat("DOWNLOAD_DELAY"),
                }
        if slots:
            settings.set("DOWNLOAD_SLOTS", slots, priority="spider")
        self.slots = set(slots)

    @staticmethod
    def slot_name(scope: SiteScope) -> str:
        return f"site:{scope.name}"

    # -- requests ---------------------------------------------------------------------

    def _request(self, url: str, scope: SiteScope, callback: Any, priority: int,
                 hops: int = 0, **meta: Any) -> scrapy.Request:
        meta = {SITE_META: scope.name, HOPS_META: hops, **meta}
        if self.slot_name(scope) in self.slots and scope.owns(url):
            meta["download_slot"] = self.slot_name(scope)
        if callback == self.parse_page and (key := self._replay_key(scope)) is not None:
            meta[DISCOVERY_KEY_META_KEY] = key
        return scrapy.Request(url, callback=callback, priority=priority, meta=meta)

    def _replay_key(self, scope: SiteScope) -> str | None:
        """The discovery key under which the recrawl middleware may look up a replayed
        page's stored analysis (:data:`~archiver.capture.link.STORED_PAGE_META_KEY`),
        unless the page is to be analysed or rendered again, which reads its body, or
        the crawl's extensions do not exist yet (``archiver seed``: the page is then
        looked up by the spider, its body decoded)."""
        if scope.name not in self.replay_keys:
            try:
                renderer = self.crawler.get_extension(Renderer)
            except RuntimeError:  # no extensions yet: requests seeded before a crawl
                return None
            rendered = renderer is not None and renderer.wants(scope.config)
            self.replay_keys[scope.name] = (
                None if self.reanalyse or rendered else self.discovery_keys[scope.name])
        return self.replay_keys[scope.name]

    def _discovery_request(self, url: str, scope: SiteScope, callback: Any) -> scrapy.Request:
        """Feeds and sitemaps the site itself names may live on another host (a CDN)."""
        return self._request(url, scope, callback, DISCOVERY_PRIORITY, allow_offsite=True)

    def _page_request(self, url: str, scope: SiteScope, hops: int,
                      source: str) -> scrapy.Request | None:
        if not scope.allows(url):
            return None
        is_article = scope.article_url(url)
        follow_depth = scope.config.discovery.follow_depth
        if not is_article and follow_depth is not None and hops > follow_depth:
            return None
        if is_article and not self.freshness.keeps(url_date(url)):
            self.crawler.stats.inc_value("archiver/discovery/skipped_old")
            return None
        self.crawler.stats.inc_value(f"archiver/discovery/{source}_urls")
        return self._request(url, scope, self.parse_page,
                             ARTICLE_PRIORITY if is_article else PAGE_PRIORITY, hops)

    async def start(self) -> AsyncIterator[Any]:
        obey_robots = self.settings.getbool("ROBOTSTXT_OBEY")
        for scope in self.scopes.values():
            config = scope.config
            for url in config.sitemaps:
                yield self._discovery_request(url, scope, self.parse_sitemap)
            for url in config.feeds:
                yield self._discovery_request(url, scope, self.parse_feed)
            if config.discovery.robots_sitemaps and not obey_robots:
                # Scrapy fetches robots.txt itself only when it obeys it.
                for root in dict.fromkeys(_root(url) for url in config.start_urls):
                    yield self._discovery_request(root + "/robots.txt", scope, self.parse_robots)
            for url in config.start_urls:
                yield self._request(url, scope, self.parse_page, PAGE_PRIORITY)

    def _scope_of(self, response: Response) -> SiteScope:
        return self.scopes[response.meta[SITE_META]]

    # -- robots.txt -------------------------------------------------------------------

    def _robots_sitemaps(self, robots_url: str, sitemaps: list[str]) -> Iterator[scrapy.Request]:
        for scope in self.scopes.values():
            if scope.owns(robots_url) and scope.config.discovery.robots_sitemaps:
                for url in sitemaps:
                    self.crawler.stats.inc_value("archiver/discovery/robots_sitemaps")
                    yield self._discovery_request(urljoin(robots_url, url), scope,
                                                  self.parse_sitemap)

    def robots_parsed(self, robotparser: Any, request: scrapy.Request) -> None:
        """Scrapy's robots.txt middleware parsed (and archived) a host's robots.txt."""
        robots_url = _root(request.url) + "/robots.txt"
        for sitemap_request in self._robots_sitemaps(
            robots_url, getattr(robotparser, "sitemaps", [])
        ):
            self.crawler.engine.crawl(sitemap_request)

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        yield from self._robots_sitemaps(
            response.url, list(sitemap_urls_from_robots(response.body))
        )

    # -- feeds and sitemaps -----------------------------------------------------------

    def _dated_entries(self, scope: SiteScope, entries: list[Any], source: str
                       ) -> Iterator[scrapy.Request]:
        for entry in entries:
            if not self.freshness.keeps(entry.date):
                self.crawler.stats.inc_value("archiver/discovery/skipped_old")
                continue
            request = self._page_request(entry.url, scope, 1, source)
            if request is not None:
                yield with_lastmod(request, entry.lastmod)

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        scope = self._scope_of(response)
        body = sitemap_body(response)
        if body is None:
            logger.warning("%s: not a sitemap (no XML body); archived, not read", response.url)
            self.crawler.stats.inc_value("archiver/discovery/sitemaps_unread")
            return
        sitemap = parse_sitemap(body, response.url)
        if not sitemap.entries:  # broken, or empty: either way nothing to follow
            self.crawler.stats.inc_value("archiver/discovery/sitemaps_unread")
        if not sitemap.is_index:
            yield from self._dated_entries(scope, sitemap.entries, "sitemap")
            return
        for entry in sitemap.entries:
            if self.freshness.keeps(entry.date):
                yield self._discovery_request(entry.url, scope, self.parse_sitemap)
            else:
                self.crawler.stats.inc_value("archiver/discovery/skipped_old_sitemaps")

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        entries = feed_entries(response.body, response.url)
        if not entries:  # not a feed, broken, or empty
            if entries is None:
                logger.warning("%s: not an RSS/Atom feed; archived, not read", response.url)
            self.crawler.stats.inc_value("archiver/discovery/feeds_unread")
            return
        yield from self._dated_entries(self._scope_of(response), entries, "feed")

    # -- pages ------------------------------------------------------------------------

    async def parse_page(self, response: Response) -> AsyncIterator[Any]:
        if isinstance(response, XmlResponse):
            # A link to a sitemap or a feed: read it as one.
            parse = self.parse_sitemap if is_sitemap(response) else self.parse_feed
            for request in parse(response):
                yield request
            return
        if not isinstance(response, TextResponse):
            return
        scope = self._scope_of(response)
        analysis = await self._analysis(response, scope)
        hops = response.meta.get(HOPS_META, 0) + 1
        if not analysis.is_article and scope.config.discovery.feed_links:
            for url in analysis.feeds:
                self.crawler.stats.inc_value("archiver/discovery/announced_feeds")
                yield self._discovery_request(url, scope, self.parse_feed)
        for url in analysis.links:
            if url in self.requested_pages:
                continue
            request = self._page_request(url, scope, hops, "link")
            if request is not None:
                self.requested_pages.add(url)
                yield request
        rendered = await self._render(response, analysis, scope)
        rendered_urls = set(rendered["subresources"]) if rendered else set()
        if analysis.is_article:
            for requisite in analysis.requisites:
                if requisite.url in rendered_urls or requisite.url in self.requested_requisites:
                    continue
                request = self._requisite_request(requisite.url, requisite.kind, scope)
                if request is not None:
                    self.requested_requisites.add(requisite.url)
                    yield request
        item = article_item(response, analysis)
        if item is not None:
            item.rendered = rendered
            yield item

    async def _analysis(self, response: Response, scope: SiteScope) -> PageAnalysis:
        """The page's analysis, or as little of it as the catalog leaves to do.

        An unchanged page (a revisit) whose discovery is stored with its payload is
        not parsed at all; an article among them also needs its stored analysis
        (:mod:`archiver.reuse`; for a replayed 304 the recrawl middleware has looked
        them up already). Otherwise the page is parsed once: for discovery only when
        its stored analysis is reused, else in full.
        """
        store = catalog_store(self.crawler)
        link = response.meta.get(LINK_META_KEY)
        key = self.discovery_keys[scope.name]
        page = self._stored_page(response, store, key)
        analysis = page.reused
        if analysis is not None:
            self.crawler.stats.inc_value("archiver/discovery/reused")
        else:
            analysis = await analyse_response(
                response, self.hints[scope.name], scope.is_article,
                self.crawler.get_extension(AnalysisPool),
                Depth.DISCOVERY if page.analysis is not None else self.depth,
            )
            if store is not None:
                remember_discovery(store, link, response.url, analysis, key)
        if page.analysis is not None and analysis.is_article:
            analysis = reuse_stored(analysis, page.analysis)
            self.crawler.stats.inc_value("archiver/analysis/reused")
        return analysis

    def _stored_page(self, response: Response, store: CatalogStore | None,
                     key: str) -> StoredPage:
        """What the catalog holds of this page for reuse: as the recrawl middleware found
        it for this response, else looked up (nothing with ``ARCHIVER_REANALYSE``)."""
        found = response.meta.get(STORED_PAGE_META_KEY)
        if isinstance(found, StoredPage) and found.url == response.url:
            return found
        if store is None or self.reanalyse:
            return StoredPage(response.url, None, None)
        return stored_page(store, response.meta.get(LINK_META_KEY), response.url, key,
                           self.depth is Depth.FULL)

    def _requisite_request(self, url: str, kind: str, scope: SiteScope
                           ) -> scrapy.Request | None:
        if not scope.wants_requisite(url, kind):
            return None
        self.crawler.stats.inc_value(f"archiver/requisites/{kind}")
        return self._request(url, scope, self.parse_requisite, REQUISITE_PRIORITY,
                             allow_offsite=True, **{REQUISITE_META: kind})

    async def _render(self, response: Response, analysis: PageAnalysis, scope: SiteScope
                      ) -> dict[str, Any] | None:
        """Render an article (``--render``, ``render: articles``); its records' links."""
        renderer = self.crawler.get_extension(Renderer)
        if renderer is None:
            return None
        return await renderer.render_article(
            response, analysis, scope.config, self.hints[scope.name],
            lambda url, kind: self._render_request(url, kind, scope))

    def _render_request(self, url: str, kind: str, scope: SiteScope) -> scrapy.Request | None:
        """What the browser asks for while rendering an article, as the crawl would fetch it
        (a requisite, or a page of the site); None blocks it."""
        if kind in REQUISITE_KINDS:
            return self._requisite_request(url, kind, scope)
        if not scope.allows(url):
            return None
        return self._request(url, scope, None, REQUISITE_PRIORITY)

    def parse_requisite(self, response: Response) -> Iterator[scrapy.Request]:
        """Archived only; a stylesheet's own ``url()`` and ``@import`` targets are fetched too."""
        content_type = (response.headers.get(b"Content-Type") or b"").lower()
        if b"css" not in content_type and response.meta.get(REQUISITE_META) != "stylesheet":
            return
        if not isinstance(response, TextResponse):
            return
        scope = self._scope_of(response)
        for requisite in css_references(response.text, response.url):
            request = self._requisite_request(requisite.url, requisite.kind, scope)
            if request is not None:
                yield request


def _root(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"

