"""Downloader middleware that archives every HTTP exchange as WARC records.

It sits at priority 950, closer to the downloader than HttpCache (900),
Redirect (600), Retry (550) and HttpCompression (590), so its
``process_response`` sees each response first: still-encoded bodies, every
intermediate redirect, every retried 5xx and the robots.txt fetches. Responses
served from the HTTP cache carry the ``cached`` flag and are not archived again.

The records are written synchronously before the response moves on, so by the
time a spider callback runs, its response record is on disk and its
:class:`~archiver.capture.link.RecordLink` is in ``request.meta[LINK_META_KEY]``.

Two exchanges become ``revisit`` records instead (see :mod:`.revisits`): a 304
to a conditional request that named the earlier record in
``request.meta[PREVIOUS_META_KEY]`` (the recrawl middleware, next in the chain,
then hands on the stored response in place of the 304), and a payload of at
least ``ARCHIVER_DEDUP_MIN_SIZE`` bytes that the capture index
(``ARCHIVER_CAPTURE_INDEX``) already holds. This middleware only archives.

An exchange's records are dated when its capture began (WARC 1.1 5.4), not when
they are written: Scrapy's HTTP/1.1 handler (and its httpx and aiohttp ones) sets
``download_latency``, the time from sending the request to its response headers,
just before it sends ``headers_received``, so that signal's time less the latency
is the instant the handler began the fetch, after any wait in the download slot.
(The opt-in HTTP/2 handler measures the latency to the body's end instead; there
the date is when the headers came, or a redirect's earlier hop skews it.)
"""

from __future__ import annotations

import logging
import socket
import time
from pathlib import Path

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.misc import build_from_crawler, load_object

from archiver import __version__
from archiver.capture import records
from archiver.capture.diskfull import FINISH_REASON, DiskFullAwareWriter
from archiver.capture.link import (
    LINK_META_KEY,
    PREVIOUS_META_KEY,
    PROFILE_IDENTICAL,
    PROFILE_NOT_MODIFIED,
    Original,
    RecordLink,
    RecordLocation,
    payload_digest,
)
from archiver.capture.revisits import CaptureIndex
from archiver.layout import OutputLayout
from archiver.signals import warc_file_closed

CONFORMS_TO = "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
CAPTURE_STARTED_META_KEY = "archiver_capture_started"
"""The POSIX time the fetch of this response began, for its records' ``WARC-Date``."""

logger = logging.getLogger(__name__)


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value is not None else None


class WarcCaptureMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("ARCHIVER_WARC_ENABLED"):
            raise NotConfigured("ARCHIVER_WARC_ENABLED is off")
        self.crawler = crawler
        self.stats: StatsCollector = crawler.stats
        self.crawl_id: str = settings["ARCHIVER_CRAWL_ID"]
        self.keep_credentials = settings.getbool("ARCHIVER_WARC_KEEP_CREDENTIALS")
        self.dedup_min_size = (
            settings.getint("ARCHIVER_DEDUP_MIN_SIZE")
            if settings.getbool("ARCHIVER_DEDUP_ENABLED")
            else None
        )
        self.index: CaptureIndex = build_from_crawler(
            load_object(settings["ARCHIVER_CAPTURE_INDEX"]), crawler
        )
        self.layout = OutputLayout.from_settings(settings)
        self.layout.record()
        self.writer = DiskFullAwareWriter(
            directory=self.layout.warc_dir,
            prefix=settings.get("ARCHIVER_WARC_PREFIX") or self.crawl_id,
            max_size=settings.getint("ARCHIVER_WARC_MAX_SIZE"),
            warcinfo=self._warcinfo,
            on_close=self._file_closed,
            on_full=self._stop_on_full_disk,
        )
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.headers_received, signal=signals.headers_received)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCaptureMiddleware:
        return cls(crawler)

    def _file_closed(self, path: Path) -> None:
        self.crawler.signals.send_catch_log(signal=warc_file_closed, path=path)

    def _warcinfo(self, filename: str) -> dict[str, str]:
        settings = self.crawler.settings
        return {
            "software": f"news-archiver/{__version__} (Scrapy)",
            "hostname": socket.gethostname(),
            "isPartOf": self.crawl_id,
            "operator": settings.get("ARCHIVER_OPERATOR") or "",
            "http-header-user-agent": settings.get("USER_AGENT") or "",
            "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            "format": "WARC File Format 1.1",
            "conformsTo": CONFORMS_TO,
        }

    def _stop_on_full_disk(self) -> None:
        deferred_from_coro(self.crawler.engine.close_spider_async(reason=FINISH_REASON))

    def headers_received(self, request: Request) -> None:
        """Note when this fetch began: now, less the latency to these headers."""
        request.meta[CAPTURE_STARTED_META_KEY] = time.time() - request.meta.get(
            "download_latency", 0.0)

    def process_response(self, request: Request, response: Response) -> Response:
        if "cached" in response.flags:
            return response
        previous: Original | None = request.meta.get(PREVIOUS_META_KEY)
        if response.status == 304 and previous is not None:
            self.stats.inc_value("archiver/warc/revisits/not_modified")
            self._write_exchange(
                request, response, previous.payload_digest, previous, PROFILE_NOT_MODIFIED
            )
            return response
        digest = payload_digest(response.body)
        original = self._duplicate_of(response, digest)
        if original is not None:
            self.stats.inc_value("archiver/warc/revisits/identical")
            self._write_exchange(request, response, digest, original, PROFILE_IDENTICAL)
        else:
            self._write_exchange(request, response, digest)
        return response

    def _duplicate_of(self, response: Response, digest: str) -> Original | None:
        """An earlier record with this payload, for payloads worth a revisit.

        Small payloads (error pages, empty bodies, tiny JSON) are stored again:
        a revisit saves nothing there and makes replay depend on another record.
        """
        if (
            self.dedup_min_size is None
            or len(response.body) < self.dedup_min_size
            or records.truncation_reason(response)
        ):
            return None
        return self.index.original_for_digest(digest)

    def _write_exchange(
        self,
        request: Request,
        response: Response,
        digest: str,
        original: Original | None = None,
        profile: str | None = None,
    ) -> RecordLink:
        """Write the response (or revisit) and request records, then publish the capture."""
        response_id, request_id = records.new_record_id(), records.new_record_id()
        # Popped, so a redirect or retry built from this request's meta gets its own.
        date = records.warc_date(request.meta.pop(CAPTURE_STARTED_META_KEY, None))
        if original is None:
            record = records.response_record(response, response_id, request_id, date, digest)
        else:
            record = records.revisit_record(
                response, response_id, request_id, date, original, profile or PROFILE_IDENTICAL
            )
        location = self.writer.write(record)
        self.writer.write(
            records.request_record(
                request, response.url, request_id, response_id, date, self.keep_credentials,
                response.ip_address,
            )
        )
        link = RecordLink(
            location=location,
            url=response.url,
            status=response.status,
            payload_digest=digest,
            fetched_at=date,
            crawl_id=self.crawl_id,
            record_type=record.rec_type,
            refers_to=original,
            profile=profile,
            etag=_header(response, "ETag"),
            last_modified=_header(response, "Last-Modified"),
        )
        request.meta[LINK_META_KEY] = link
        self.index.remember(link)
        kind = "responses" if original is None else "revisits"
        self.stats.inc_value(f"archiver/warc/{kind}")
        self.stats.inc_value(f"archiver/warc/{kind}/status_{response.status}")
        if original is None and record.rec_headers.get_header("WARC-Truncated"):
            self.stats.inc_value("archiver/warc/truncated")
        return link

    def process_exception(self, request: Request, exception: Exception) -> None:
        """Archive the failure itself: a fetch that got no response is still evidence.

        ``IgnoreRequest`` (robots.txt, offsite, ...) means nothing was fetched.
        """
        if isinstance(exception, IgnoreRequest):
            return
        payload = records.warc_fields(
            [
                ("fetch-error", f"{type(exception).__module__}.{type(exception).__name__}"),
                ("error-message", str(exception).replace("\r", " ").replace("\n", " ")),
                ("method", request.method),
            ]
        )
        self.writer.write(
            records.metadata_record(
                request.url, records.warc_date(), payload, "application/warc-fields"
            )
        )
        self.stats.inc_value("archiver/warc/fetch_errors")

    def write_metadata(
        self, url: str, refers_to: str, payload: bytes, content_type: str
    ) -> RecordLocation:
        """Write a ``metadata`` record about a record (e.g. its paywall verdict)."""
        self.stats.inc_value("archiver/warc/metadata")
        return self.writer.write(
            records.metadata_record(
                url, records.warc_date(), payload, content_type, refers_to=refers_to
            )
        )

    def spider_closed(self, spider: Spider) -> None:
        self.writer.close()
        self.stats.set_value("archiver/warc/files", len(self.writer.closed_files))
        self.stats.set_value("archiver/warc/bytes", self.writer.bytes_written)
        self.stats.set_value("archiver/warc/records", self.writer.records_written)
