"""Turning a fetched page into an article item, off the reactor thread.

Parsing, extraction and detection cost milliseconds of CPU per page; run on the
reactor thread they would stall every download in flight. ``analyse_response``
hands the page to :func:`~archiver.pageanalysis.analyse_page` (one parse for
all of it, no Scrapy needed), in worker processes
(:class:`~archiver.analysispool.AnalysisPool`) or else Twisted's thread pool,
and gets the links back too so the spider never parses the page again; the
result becomes the article's item here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from archiver.analysispool import AnalysisPool
from archiver.capture.link import LINK_META_KEY, RecordLink
from archiver.capture.records import header_pairs
from archiver.discovery.classifier import is_article
from archiver.items import ArticleItem
from archiver.page import CapturedPage
from archiver.pageanalysis import Depth, PageAnalysis, analyse_page
from archiver.paywall import PaywallHints

if TYPE_CHECKING:
    from archiver.reuse import StoredAnalysis


ANALYSIS_SETTING = "ARCHIVER_ANALYSIS"


def crawl_depth(settings: BaseSettings) -> Depth:
    """``ARCHIVER_ANALYSIS``: ``on`` (default) analyses articles as they are
    fetched, ``off`` only archives them (and follows their links)."""
    value = str(settings.get(ANALYSIS_SETTING, "on")).strip().lower()
    if value not in ("on", "off"):
        raise ValueError(f"{ANALYSIS_SETTING}={value!r}: expected on or off")
    return Depth.FULL if value == "on" else Depth.DISCOVERY


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
