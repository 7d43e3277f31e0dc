"""Limits on what a server can make the crawler hold: archived up to the limit, never dropped.

Scrapy enforces ``DOWNLOAD_MAXSIZE`` by cancelling the download (or refusing it
outright when ``Content-Length`` announces too much), so an oversized article
left nothing in the WARC but a fetch error. Heritrix and warcprox archive the
first bytes instead, as a response record with ``WARC-Truncated: length``. So
:class:`BodyLimitMiddleware` takes the limit over: Scrapy's own check is turned
off for the download (``download_maxsize`` 0 in the request's meta) and a
``bytes_received`` handler stops the download at the limit with
``StopDownload(fail=False)``, which hands on the partial response (flag
``download_stopped``); the body is cut to exactly the limit. A body that is
still trickling in after ``ARCHIVER_BODY_TIMEOUT`` seconds is stopped the same
way and archived with ``WARC-Truncated: time``.

Decoding is bounded too: a small gzip body can inflate to gigabytes (a
decompression bomb). :class:`BoundedHttpCompression` (Scrapy's
``HttpCompressionMiddleware``, in its place) inflates at most
``ARCHIVER_DECODED_MAXSIZE`` bytes and refuses bodies it cannot decode; the
capture middleware sits closer to the downloader and has archived the raw body
by then, so nothing is lost, and the refused page never reaches the analysis.
Readers of archived records bound their decoding the same way
(:mod:`archiver.capture.bounded`).
"""

from __future__ import annotations

import struct
import time
import zlib
from urllib.parse import urljoin

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest, StopDownload
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

from archiver.capture.link import REUSED_FLAG

LIMIT_META = "archiver_maxsize"
RECEIVED_META = "archiver_received"
STARTED_META = "archiver_body_started"
TIMED_OUT_FLAG = "body_timeout"
"""Response flag of a body stopped by ``ARCHIVER_BODY_TIMEOUT`` (``WARC-Truncated: time``)."""

DECODE_ERRORS = (OSError, EOFError, zlib.error, struct.error, ValueError)
"""What Scrapy's decoders raise on a body that is not what ``Content-Encoding`` says."""


class BodyLimitMiddleware:
    """Stops oversized and endless bodies at their limit and hands the first bytes on."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.stats: StatsCollector = crawler.stats
        self.maxsize = settings.getint("DOWNLOAD_MAXSIZE")
        self.decoded_maxsize = settings.getint("ARCHIVER_DECODED_MAXSIZE")
        self.body_timeout = settings.getfloat("ARCHIVER_BODY_TIMEOUT")
        crawler.signals.connect(self.bytes_received, signal=signals.bytes_received)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BodyLimitMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        meta = request.meta
        # A retried or redirected request carries the meta of the first: keep its limit.
        meta.setdefault(LIMIT_META, meta.get("download_maxsize", self.maxsize))
        meta["download_maxsize"] = 0
        # A body cut by a reset is archived (WARC-Truncated: disconnect), then retried.
        meta.setdefault("download_fail_on_dataloss", False)
        meta[RECEIVED_META] = 0
        meta.pop(STARTED_META, None)

    def bytes_received(self, data: bytes, request: Request) -> None:
        meta = request.meta
        if LIMIT_META not in meta:
            return  # answered before reaching this middleware (another one downloaded it)
        received = meta[RECEIVED_META] = meta.get(RECEIVED_META, 0) + len(data)
        started = meta.setdefault(STARTED_META, time.monotonic())
        limit = meta[LIMIT_META]
        if limit and received >= limit:
            self.stats.inc_value("archiver/limits/truncated_length")
            raise StopDownload(fail=False)
        if self.body_timeout and time.monotonic() - started > self.body_timeout:
            meta[TIMED_OUT_FLAG] = True
            self.stats.inc_value("archiver/limits/truncated_time")
            raise StopDownload(fail=False)

    def process_response(self, request: Request, response: Response) -> Response:
        meta = request.meta
        limit = meta.get(LIMIT_META, self.maxsize)
        # What the decompression middleware may inflate this body to (0: no limit).
        meta["download_maxsize"] = min((s for s in (limit, self.decoded_maxsize) if s), default=0)
        if _loops(request, response):
            self.stats.inc_value("archiver/hostile/redirect_loops")
        if "download_stopped" not in response.flags:
            return response
        if meta.pop(TIMED_OUT_FLAG, False):
            return response.replace(flags=[*response.flags, TIMED_OUT_FLAG])
        if limit and len(response.body) > limit:
            return response.replace(body=response.body[:limit])
        return response


def _loops(request: Request, response: Response) -> bool:
    """A redirect back to a URL this request chain has already been to."""
    location = response.headers.get("Location")
    if not (300 <= response.status < 400 and location):
        return False
    try:
        target = urljoin(request.url, location.decode("latin-1"))
    except ValueError:  # a malformed Location; the redirect middleware refuses it
        return False
    return target in {request.url, *request.meta.get("redirect_urls", [])}


class RetryCutBodyMiddleware:
    """Retries a body cut short by the server, once the capture middleware has archived it.

    Sits below the capture middleware (its ``process_response`` runs after the
    capture's), so every attempt is in the WARC, truncated ones marked; the last
    attempt goes on to the spider whatever it holds. Retries count as Scrapy's
    (``retry/reason_count/dataloss``).
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats: StatsCollector = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryCutBodyMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if "dataloss" not in response.flags:
            return response
        self.stats.inc_value("archiver/hostile/cut_bodies")
        retry = get_retry_request(request, spider=self.crawler.spider, reason="dataloss")
        return retry or response


class BoundedHttpCompression(HttpCompressionMiddleware):
    """Scrapy's decompression, counted: bombs and undecodable bodies refused, not raised.

    A replayed page whose analysis is reused keeps its body as archived
    (:data:`~archiver.capture.link.REUSED_FLAG`): nothing reads it."""

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if REUSED_FLAG in response.flags:
            return response
        try:
            return super().process_response(request, response)
        except IgnoreRequest:
            if self.stats:
                self.stats.inc_value("archiver/limits/decompression_refused")
            raise
        except DECODE_ERRORS as error:
            if self.stats:
                self.stats.inc_value("archiver/hostile/undecodable")
            raise IgnoreRequest(
                f"{response.url}: body does not decode as its Content-Encoding says "
                f"({error}); archived as received"
            ) from error
