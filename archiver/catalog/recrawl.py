"""Incremental recrawl: conditional requests from the catalog, and revisit spacing.

Every run fetches feeds, sitemaps and section pages again; what differs is
how. For a URL captured before, this downloader middleware (priority 940,
just before the capture middleware) sends ``If-None-Match`` /
``If-Modified-Since`` built from the last capture's ``ETag`` /
``Last-Modified``, and puts the record that holds the payload into
``request.meta["archiver_previous"]``, so a ``304`` becomes a
``server-not-modified`` revisit record and the spider parses the stored page.

``ARCHIVER_REVISIT_AFTER`` spaces re-fetches of known *articles* (URLs that
were emitted as items): ``0`` (default) re-fetches every run, ``6h``/``2d``/
``1w`` waits that long since the last capture, ``never`` fetches an article
once. Pages that are not articles are never skipped.

For discovery code: a request carrying a sitemap ``<lastmod>`` in
``request.meta[LASTMOD_META_KEY]`` (a ``datetime`` or a W3C/ISO 8601 string,
see :func:`with_lastmod`) is fetched, unconditionally, whenever that date is
newer than the last capture, whatever ``ARCHIVER_REVISIT_AFTER`` says.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured

from archiver.capture.middleware import warc_directory
from archiver.capture.revisits import PREVIOUS_META_KEY
from archiver.catalog.extension import CatalogExtension
from archiver.catalog.models import Capture
from archiver.catalog.store import original_of, utcnow

logger = logging.getLogger(__name__)

LASTMOD_META_KEY = "archiver_lastmod"
CONDITIONAL_FOR_META_KEY = "archiver_conditional_for"
CONDITIONAL_HEADERS = ("If-None-Match", "If-Modified-Since")
CONDITIONAL_STATUSES = frozenset({200, 304})
DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_revisit_after(value: object) -> timedelta | None:
    """``0``, ``90m``, ``6h``, ``2d``, ``1w`` or ``never`` (``None``)."""
    text = str(value).strip().lower()
    if text == "never":
        return None
    if text in ("", "0"):
        return timedelta(0)
    match = DURATION.match(text)
    if not match:
        raise ValueError(
            f"ARCHIVER_REVISIT_AFTER={value!r}: expected 0, a duration such as 30m, 6h, 2d, "
            "1w, or never"
        )
    return timedelta(**{UNITS[match[2]]: float(match[1])})


def parse_lastmod(value: datetime | str) -> datetime:
    """A sitemap ``<lastmod>`` as naive UTC (dates without a zone are taken as UTC)."""
    when = value if isinstance(value, datetime) else datetime.fromisoformat(value.strip())
    return when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo else when


def with_lastmod(request: Request, lastmod: datetime | str | None) -> Request:
    """Mark a request with its sitemap ``<lastmod>`` (no-op for ``None``)."""
    if lastmod is not None:
        request.meta[LASTMOD_META_KEY] = lastmod
    return request


class RecrawlMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.extension = crawler.get_extension(CatalogExtension)
        if self.extension is None:
            raise NotConfigured("no catalog (ARCHIVER_CATALOG_ENABLED is off)")
        self.stats = crawler.stats
        self.revisit_after = parse_revisit_after(crawler.settings.get("ARCHIVER_REVISIT_AFTER"))
        self.warc_dir = warc_directory(crawler.settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RecrawlMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        made_for = request.meta.get(CONDITIONAL_FOR_META_KEY)
        if made_for == request.url:
            return  # a retry: already conditional
        if made_for is not None:
            self._forget_conditional(request)  # a redirect copied another URL's validators
        if request.method != "GET" or PREVIOUS_META_KEY in request.meta:
            return
        if request.headers.get("If-None-Match") or request.headers.get("If-Modified-Since"):
            return
        store = self.extension.store
        latest = store.latest_capture(request.url)
        if latest is None:
            return
        if self._lastmod_is_newer(request, latest):
            self.stats.inc_value("archiver/recrawl/lastmod_newer")
            return
        if self.revisit_after != timedelta(0) and store.article(request.url) is not None:
            self._skip_if_fresh(request, latest)
        if latest.status in CONDITIONAL_STATUSES:
            self._make_conditional(request, latest)

    def _lastmod_is_newer(self, request: Request, latest: Capture) -> bool:
        lastmod = request.meta.get(LASTMOD_META_KEY)
        if lastmod is None:
            return False
        try:
            return parse_lastmod(lastmod) > latest.fetched_at
        except (TypeError, ValueError):
            logger.warning("%s: ignoring unreadable sitemap lastmod %r", request.url, lastmod)
            return False

    def _skip_if_fresh(self, request: Request, latest: Capture) -> None:
        if self.revisit_after is not None and utcnow() - latest.fetched_at >= self.revisit_after:
            return
        self.stats.inc_value("archiver/recrawl/skipped_fresh")
        raise IgnoreRequest(
            f"{request.url}: article captured {latest.fetched_at:%Y-%m-%d %H:%M} UTC; not "
            "fetched again yet (ARCHIVER_REVISIT_AFTER)"
        )

    def _make_conditional(self, request: Request, latest: Capture) -> None:
        payload = latest.payload_capture
        if payload.status != 200 or not (self.warc_dir / payload.warc_filename).exists():
            return
        etag = latest.etag or payload.etag
        last_modified = latest.last_modified or payload.last_modified
        if not (etag or last_modified):
            return
        if etag:
            request.headers["If-None-Match"] = etag
        if last_modified:
            request.headers["If-Modified-Since"] = last_modified
        request.meta[PREVIOUS_META_KEY] = original_of(latest)
        request.meta[CONDITIONAL_FOR_META_KEY] = request.url
        self.stats.inc_value("archiver/recrawl/conditional")

    @staticmethod
    def _forget_conditional(request: Request) -> None:
        for header in CONDITIONAL_HEADERS:
            request.headers.pop(header, None)
        request.meta.pop(PREVIOUS_META_KEY, None)
        request.meta.pop(CONDITIONAL_FOR_META_KEY, None)
