"""Incremental recrawl: conditional requests from the catalog, and revisit spacing.

Every run fetches feeds, sitemaps and section pages again; what differs is
how. For a URL captured before, this downloader middleware (priority 940,
next to the capture middleware) sends ``If-None-Match`` /
``If-Modified-Since`` built from the last capture's ``ETag`` /
``Last-Modified``, and puts the record that holds the payload into
``request.meta[PREVIOUS_META_KEY]``. The capture middleware archives a ``304``
to such a request as a ``server-not-modified`` revisit record; this middleware
then reads the stored response back from its WARC and hands it on in place of
the 304 (flag ``revisit``), so links are followed and the article is analysed
from the exact archived bytes. The WARC may be this worker's, another
worker's, or uploaded to S3 (:mod:`archiver.storage.earlier` finds it through
the catalog); a request is made conditional only where the record can be read.

Most replayed pages need no analysis. A request that carries its site's
discovery key (``request.meta[DISCOVERY_KEY_META_KEY]``, set by the news spider
where it would reuse a stored analysis) gets what the catalog holds of the page
(:func:`archiver.reuse.stored_page`) in ``request.meta[STORED_PAGE_META_KEY]``,
looked up here, before the decompression and meta-refresh middlewares run. When
that is the page's whole analysis, the page is handed on with its body as
archived, flagged :data:`~archiver.capture.link.REUSED_FLAG`, as the class its
decoded body had, and those two middlewares leave it alone
(:mod:`archiver.capture.metarefresh`): nothing reads the
body, and decoding it again was 12% of an unchanged recrawl of real pages, the
meta-refresh check's decode of its text 4%. Its stored discovery shows that this
payload reached the spider before, so no meta refresh took it elsewhere.

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
from datetime import UTC, datetime, timedelta

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Headers, Response, TextResponse, XmlResponse
from scrapy.responsetypes import responsetypes
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders

from archiver.analysis import crawl_depth
from archiver.capture.link import (
    DISCOVERY_KEY_META_KEY,
    LINK_META_KEY,
    PREVIOUS_META_KEY,
    REUSED_FLAG,
    STORED_PAGE_META_KEY,
    Original,
    RecordLink,
)
from archiver.catalog.extension import required_catalog_store
from archiver.catalog.store import StoredCapture, original_of, utcnow
from archiver.durations import EXAMPLES, parse_duration
from archiver.layout import OutputLayout
from archiver.pageanalysis import Depth
from archiver.reuse import stored_page
from archiver.storage.earlier import EarlierRecords, RecordSource

logger = logging.getLogger(__name__)

LASTMOD_META_KEY = "archiver_lastmod"
CONDITIONAL_FOR_META_KEY = "archiver_conditional_for"
SOURCE_META_KEY = "archiver_previous_source"
CONDITIONAL_HEADERS = ("If-None-Match", "If-Modified-Since")
CONDITIONAL_STATUSES = frozenset({200, 304})


def parse_revisit_after(value: object) -> timedelta | None:
    """``0``, ``90m``, ``6h``, ``2d``, ``1w`` or ``never`` (``None``)."""
    text = str(value).strip().lower()
    if text == "never":
        return None
    if text in ("", "0"):
        return timedelta(0)
    duration = parse_duration(text)
    if duration is None:
        raise ValueError(
            f"ARCHIVER_REVISIT_AFTER={value!r}: expected 0, a duration such as {EXAMPLES}, "
            "or never"
        )
    return duration.timedelta


def parse_lastmod(value: datetime | str) -> datetime:
    """A sitemap ``<lastmod>`` as naive UTC (dates without a zone are taken as UTC)."""
    when = value if isinstance(value, datetime) else datetime.fromisoformat(value.strip())
    return when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo else when


def with_lastmod(request: Request, lastmod: datetime | str | None) -> Request:
    """Mark a request with its sitemap ``<lastmod>`` (no-op for ``None``)."""
    if lastmod is not None:
        request.meta[LASTMOD_META_KEY] = lastmod
    return request


def replayed_response(
    response: Response, http_headers: StatusAndHeaders, payload: bytes, reused: bool = False
) -> Response:
    """The archived response a 304 confirmed, handed on as if it had been sent again.

    Downstream middlewares (decompression, redirects) and the spider see the
    stored exchange: its status, headers and still-encoded body. A page whose
    whole analysis is ``reused`` is flagged so, as the text response class its
    decoded body would have (a stored discovery shows the spider read it as one),
    where its headers name that class without its body; else it goes on unflagged.
    """
    headers = Headers()
    for name, value in http_headers.headers:
        headers.appendlist(name, value.encode("latin-1"))
    flags = [*response.flags, "revisit"]
    cls = _decoded_class(headers, response.url) if reused else None
    if cls is not None:
        flags.append(REUSED_FLAG)
    else:
        cls = responsetypes.from_args(headers=headers, url=response.url, body=payload)
    return cls(
        url=response.url,
        status=int(http_headers.get_statuscode()),
        headers=headers,
        body=payload,
        request=response.request,
        flags=flags,
        certificate=response.certificate,
        ip_address=response.ip_address,
        protocol=response.protocol,
    )


def _decoded_class(headers: Headers, url: str) -> type[TextResponse] | None:
    """The page's (non-XML) text response class as its headers and URL name it, once
    decoded (what the decompression middleware would give it); ``None`` when they do not."""
    decoded = Headers(headers)
    decoded.pop("Content-Encoding", None)
    cls = responsetypes.from_args(headers=decoded, url=url)
    return cls if issubclass(cls, TextResponse) and not issubclass(cls, XmlResponse) else None


class RecrawlMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.store = required_catalog_store(crawler)
        self.stats = crawler.stats
        self.revisit_after = parse_revisit_after(crawler.settings.get("ARCHIVER_REVISIT_AFTER"))
        self.earlier = EarlierRecords(OutputLayout.from_settings(crawler.settings).warc_dir,
                                      self.store, crawler.settings)
        self.full_analysis = crawl_depth(crawler.settings) is Depth.FULL

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
        if any(request.headers.get(header) for header in CONDITIONAL_HEADERS):
            return
        store = self.store
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

    def _lastmod_is_newer(self, request: Request, latest: StoredCapture) -> bool:
        lastmod = request.meta.get(LASTMOD_META_KEY)
        if lastmod is None:
            return False
        try:
            return parse_lastmod(lastmod) > latest.fetched_at
        except (TypeError, ValueError):
            logger.warning("%s: ignoring unreadable sitemap lastmod %r", request.url, lastmod)
            return False

    def _skip_if_fresh(self, request: Request, latest: StoredCapture) -> None:
        if self.revisit_after is not None and utcnow() - latest.fetched_at >= self.revisit_after:
            return
        self.stats.inc_value("archiver/recrawl/skipped_fresh")
        raise IgnoreRequest(
            f"{request.url}: article captured {latest.fetched_at:%Y-%m-%d %H:%M} UTC; not "
            "fetched again yet (ARCHIVER_REVISIT_AFTER)"
        )

    def _make_conditional(self, request: Request, latest: StoredCapture) -> None:
        payload = latest.payload_capture
        location = self.earlier.locate(payload.warc_filename) if payload.status == 200 else None
        if location is None:
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
        # Where it was found, for the 304: located again there, its file's stat (two a
        # page) was 2% of an unchanged recrawl's samples.
        request.meta[SOURCE_META_KEY] = RecordSource(location, payload.warc_offset,
                                                     payload.warc_length)
        request.meta[CONDITIONAL_FOR_META_KEY] = request.url
        self.stats.inc_value("archiver/recrawl/conditional")

    @staticmethod
    def _forget_conditional(request: Request) -> None:
        for header in CONDITIONAL_HEADERS:
            request.headers.pop(header, None)
        for key in (PREVIOUS_META_KEY, SOURCE_META_KEY, CONDITIONAL_FOR_META_KEY,
                    STORED_PAGE_META_KEY):
            request.meta.pop(key, None)

    async def process_response(self, request: Request, response: Response) -> Response:
        """A 304 to our conditional request: the stored page, to be parsed again."""
        previous: Original | None = request.meta.get(PREVIOUS_META_KEY)
        link: RecordLink | None = request.meta.get(LINK_META_KEY)
        if response.status != 304 or previous is None or link is None or not link.not_modified:
            return response
        source = request.meta.get(SOURCE_META_KEY) or self.earlier.source(previous)
        where = source.location if source else previous.filename
        try:
            if source is None:
                raise FileNotFoundError("no longer anywhere the catalog knows")
            if source.remote:
                http_headers, payload = await maybe_deferred_to_future(
                    deferToThread(self.earlier.read, source))
            else:
                # A local record is one seek and one gzip member (0.1-1 ms of CPU): read
                # here, as the capture middleware writes records, since handing it to a
                # thread and back cost more (0.17 ms a 304 on the generated site, load 7).
                http_headers, payload = self.earlier.read(source)
        except (OSError, ValueError, StopIteration, ArchiveLoadFailed) as error:
            logger.warning(
                "%s: 304 Not Modified, but its earlier capture %s@%d cannot be read (%s); "
                "the page is not analysed again", response.url, where, previous.offset, error,
            )
            self.stats.inc_value("archiver/recrawl/unreadable_original")
            return response
        if source.remote:
            self.stats.inc_value("archiver/recrawl/remote_original")
        key = request.meta.get(DISCOVERY_KEY_META_KEY)
        page = None
        if key is not None:
            page = request.meta[STORED_PAGE_META_KEY] = stored_page(
                self.store, link, response.url, key, self.full_analysis)
        return replayed_response(response, http_headers, payload,
                                 reused=page is not None and page.reused is not None)

