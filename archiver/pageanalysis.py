"""What one page's analysis finds, computed from one parse, in a worker process.

:func:`analyse_page` runs in the analysis workers (:mod:`archiver.analysisworker`),
so this module and what it imports must not need Scrapy or Twisted: the workers'
fork server imports it before it forks them (:mod:`archiver.analysispreload`),
and Scrapy's package alone (it imports Twisted) would add 0.3 s of CPU to it. The
crawl's side, turning responses into pages and results into items, is
:mod:`archiver.analysis`.

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
from typing import Any
from urllib.parse import urljoin

from archiver.article import ArticleText
from archiver.discovery.classifier import is_article
from archiver.discovery.links import Requisite, feed_links, page_links
from archiver.page import CapturedPage
from archiver.paywall import PaywallHints, PaywallVerdict


class Depth(Enum):
    FULL = "full"
    DISCOVERY = "discovery"


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
        analysis.requisites = page.requisites
        if depth is Depth.FULL:
            # Imported in the worker only: the crawling process never extracts
            # nor detects, so it never imports trafilatura and the paywall rules.
            from archiver.extraction import extract_article
            from archiver.paywall.detector import detect_paywall

            analysis.article = extract_article(page)
            analysis.paywall = detect_paywall(page, analysis.article, hints)
    return analysis
