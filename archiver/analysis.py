"""Turning a fetched page into an article item, off the reactor thread.

Parsing, extraction and detection cost milliseconds of CPU per page; run on the
reactor thread they would stall every download in flight. ``analyse_response``
does all of it from one parse of the page, in worker processes
(:class:`~archiver.analysispool.AnalysisPool`) or else Twisted's thread pool,
and returns the links too so the spider never parses the page again.

How much of it runs is the :class:`Depth` of the analysis: ``FULL`` (links,
extraction, detection), or ``DISCOVERY`` (links, feeds, requisites, whether the
page is an article: one parse, no extraction or detection) for a capture-only
crawl (``ARCHIVER_ANALYSIS=off``, analysed later by ``archiver reextract``) and
for an unchanged revisit whose stored analysis is reused (:mod:`archiver.reuse`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from archiver.analysispool import AnalysisPool
from archiver.capture.link import LINK_META_KEY, RecordLink
from archiver.capture.records import header_pairs
from archiver.discovery.classifier import is_article
from archiver.discovery.links import Requisite, feed_links, page_links, page_requisites
from archiver.extraction import ArticleText, extract_article
from archiver.items import ArticleItem
from archiver.page import CapturedPage
from archiver.paywall import PaywallHints, PaywallVerdict

if TYPE_CHECKING:
    from archiver.reuse import StoredAnalysis


class Depth(Enum):
    FULL = "full"
    DISCOVERY = "discovery"


ANALYSIS_SETTING = "ARCHIVER_ANALYSIS"


def crawl_depth(settings: BaseSettings) -> Depth:
    """``ARCHIVER_ANALYSIS``: ``on`` (default) analyses articles as they are
    fetched, ``off`` only archives them (and follows their links)."""
    value = str(settings.get(ANALYSIS_SETTING, "on")).strip().lower()
    if value not in ("on", "off"):
        raise ValueError(f"{ANALYSIS_SETTING}={value!r}: expected on or off")
    return Depth.FULL if value == "on" else Depth.DISCOVERY



@dataclass
class PageAnalysis:
    links: list[str]
    article: ArticleText | None
    canonical_url: str | None
    paywall: PaywallVerdict | None = None
    feeds: list[str] = field(default_factory=list)
    """Feeds the page announces (``<link rel="alternate">``)."""
    requisites: list[Requisite] = field(default_factory=list)
    """What an article page embeds (stylesheets, scripts, images, fonts), for replay."""
    is_article: bool = False
    """The page is an article (``article`` is ``None`` when it was not extracted)."""

    def discovery(self) -> dict[str, Any]:
        """What discovery found, kept by the catalog with the payload (:mod:`archiver.reuse`)."""
        return {"links": self.links, "feeds": self.feeds, "canonical_url": self.canonical_url,
                "requisites": [[r.url, r.kind] for r in self.requisites],
                "is_article": self.is_article}

    @classmethod
    def from_discovery(cls, stored: Mapping[str, Any]) -> PageAnalysis:
        """The discovery-only analysis of an unchanged page, read back from the catalog."""
        return cls(links=list(stored["links"]), article=None,
                   canonical_url=stored["canonical_url"], feeds=list(stored["feeds"]),
                   requisites=[Requisite(url, kind) for url, kind in stored["requisites"]],
                   is_article=bool(stored["is_article"]))


def reuse_stored(analysis: PageAnalysis, stored: StoredAnalysis) -> PageAnalysis:
    """The discovery-only ``analysis`` of an unchanged article, completed from the catalog."""
    analysis.article, analysis.paywall = stored.article, stored.verdict
    return analysis


def captured_page(response: Response) -> CapturedPage:
    headers: dict[str, list[str]] = {}
    for name, value in header_pairs(response.headers):
        headers.setdefault(name.lower(), []).append(value)
    return CapturedPage(url=response.url, body=response.body, status=response.status,
                        headers=headers)


def canonical_url(page: CapturedPage) -> str | None:
    for link in page.tree.iterfind(".//link[@rel='canonical'][@href]"):
        href = link.get("href").strip()
        try:
            return urljoin(page.url, href) if href else None
        except ValueError:  # a malformed URL (an unclosed IPv6 bracket) names nothing
            return None
    return None


def analyse_page(
    page: CapturedPage,
    hints: PaywallHints | None = None,
    classify: Callable[[CapturedPage], bool] = is_article,
    depth: Depth = Depth.FULL,
) -> PageAnalysis:
    """``classify`` decides what is an article (a site config can override the default).

    Pages that are not articles get link discovery only: extraction and
    detection (about 30 ms of the 35 ms a real article page costs) run on
    articles alone.
    """
    analysis = PageAnalysis(links=page_links(page), article=None,
                            canonical_url=canonical_url(page), feeds=feed_links(page))
    if page.status == 200 and classify(page):
        analysis.is_article = True
        analysis.requisites = page_requisites(page)
        if depth is Depth.FULL:
            analysis.article = extract_article(page)
            from archiver.paywall.detector import detect_paywall  # in the worker only

            analysis.paywall = detect_paywall(page, analysis.article, hints)
    return analysis


async def analyse_response(
    response: Response,
    hints: PaywallHints | None = None,
    classify: Callable[[CapturedPage], bool] = is_article,
    pool: AnalysisPool | None = None,
    depth: Depth = Depth.FULL,
) -> PageAnalysis:
    page = captured_page(response)
    if pool is not None:
        deferred = pool.run(analyse_page, page, hints, classify, depth)
    else:
        deferred = deferToThread(analyse_page, page, hints, classify, depth)
    return await maybe_deferred_to_future(deferred)


def article_item(response: Response, analysis: PageAnalysis) -> ArticleItem | None:
    """The item for an analysed article page, linked to its response record."""
    link: RecordLink | None = response.meta.get(LINK_META_KEY)
    return analysed_item(response.url, response.status, analysis, link)


def analysed_item(
    url: str, status: int, analysis: PageAnalysis, link: RecordLink | None
) -> ArticleItem | None:
    """The item for an analysed page and the record it was read from, if it is an article.

    The live crawl and ``archiver reextract`` both build items here, so an archive
    re-analysed years later yields the items the crawl emitted.
    """
    article = analysis.article
    if article is None:
        return None
    item = ArticleItem(
        url=url,
        final_url=analysis.canonical_url or url,
        status=status,
        title=article.title,
        published=article.published,
        authors=article.authors,
        language=article.language,
        text=article.text,
        word_count=article.word_count,
        paywall=analysis.paywall.to_dict() if analysis.paywall else None,
    )
    if link is not None:
        item.warc_filename = link.location.filename
        item.warc_offset = link.location.offset
        item.warc_length = link.location.length
        item.warc_record_id = link.location.record_id
        item.payload_digest = link.payload_digest
        item.fetched_at = link.fetched_at
        item.crawl_id = link.crawl_id
    return item
