"""Sitemaps and sitemap indexes (plain and Google News), and robots.txt ``Sitemap:`` lines.

Parsing is Scrapy's own (:mod:`scrapy.utils.sitemap`, as ``SitemapSpider`` uses
it); this module only adds what news crawling needs on top: the date of each
entry, including ``<news:publication_date>``, which Scrapy's parser drops
because it keeps only the direct children of ``<url>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree
from scrapy.http import Response, XmlResponse
from scrapy.robotstxt import ProtegoRobotParser
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from archiver.discovery.freshness import parse_date
from archiver.discovery.links import absolute_url

MAX_SITEMAP_SIZE = 64 * 1024 * 1024


class NewsSitemap(Sitemap):
    """Scrapy's sitemap parser, also reading the nested ``news:publication_date``."""

    def _process_sitemap_element(self, elem: Any) -> dict[str, Any] | None:
        published = next(
            (node.text for node in elem.iter()
             if isinstance(node.tag, str) and node.tag.endswith("}publication_date")),
            None,
        )
        entry = super()._process_sitemap_element(elem)
        if entry is not None and published:
            entry["publication_date"] = published.strip()
        return entry


@dataclass(frozen=True)
class SitemapEntry:
    url: str
    date: datetime | None
    """``news:publication_date`` if given, else ``lastmod``."""
    lastmod: datetime | None = None
    """``lastmod`` alone: newer than the last capture means the page changed."""


@dataclass(frozen=True)
class ParsedSitemap:
    is_index: bool
    entries: list[SitemapEntry]


def sitemap_body(response: Response) -> bytes | None:
    """The XML of a sitemap response, gunzipped if it was a ``.xml.gz`` file; None if not XML."""
    body = response.body
    if gzip_magic_number(response):
        try:
            body = gunzip(body, max_size=MAX_SITEMAP_SIZE)
        except OSError:
            return None
    if isinstance(response, XmlResponse) or body.lstrip()[:5] in (b"<?xml", b"<urls", b"<site"):
        return body
    return None


def _open(body: bytes) -> NewsSitemap | None:
    try:
        return NewsSitemap(body)
    except (StopIteration, etree.XMLSyntaxError):
        return None


def is_sitemap(response: Response) -> bool:
    """Is this XML response a sitemap or sitemap index (rather than a feed)?"""
    body = sitemap_body(response)
    sitemap = _open(body) if body is not None else None
    return sitemap is not None and sitemap.type in ("urlset", "sitemapindex")


def parse_sitemap(body: bytes, url: str) -> ParsedSitemap:
    """Entries of a sitemap or sitemap index; none for a body that is not one.

    ``<loc>`` must be absolute, but some CMSs write paths; they are resolved
    against the sitemap's own URL rather than dropped.
    """
    sitemap = _open(body)
    if sitemap is None or sitemap.type not in ("urlset", "sitemapindex"):
        return ParsedSitemap(is_index=False, entries=[])
    entries = [
        SitemapEntry(
            url=location,
            date=parse_date(entry.get("publication_date")) or parse_date(entry.get("lastmod")),
            lastmod=parse_date(entry.get("lastmod")),
        )
        for entry in sitemap
        if entry.get("loc") and (location := absolute_url(url, entry["loc"]))
    ]
    return ParsedSitemap(is_index=sitemap.type == "sitemapindex", entries=entries)


class SitemapRobotParser(ProtegoRobotParser):
    """Scrapy's default robots.txt parser that also keeps the file's ``Sitemap:`` URLs.

    Scrapy's robots.txt middleware fetches and archives robots.txt once per
    host and announces the parser with the ``robots_parsed`` signal; keeping the
    sitemap URLs on it lets the spider read them without a second fetch.
    """

    def __init__(self, robotstxt_body: bytes, spider: Any = None) -> None:
        super().__init__(robotstxt_body, spider)
        self.sitemaps: list[str] = list(sitemap_urls_from_robots(robotstxt_body))
