"""Downloader middleware that archives every HTTP exchange as WARC records.

It sits at priority 950, closer to the downloader than HttpCache (900),
Redirect (600), Retry (550) and HttpCompression (590), so its
``process_response`` sees each response first: still-encoded bodies, every
intermediate redirect, every retried 5xx and the robots.txt fetches. Responses
served from the HTTP cache carry the ``cached`` flag and are not archived again.

The records are written synchronously before the response moves on, so by the
time a spider callback runs, its response record is on disk and its location
is in ``request.meta["warc_capture"]``.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

from archiver import __version__
from archiver.capture import records
from archiver.capture.warcfile import RecordLocation, RotatingWarcWriter

CAPTURE_META_KEY = "warc_capture"
CONFORMS_TO = "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"


@dataclass(frozen=True)
class Capture:
    """A response record on disk, as items and the catalog link to it."""

    location: RecordLocation
    url: str
    status: int
    payload_digest: str
    fetched_at: str
    crawl_id: str


class WarcCaptureMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("ARCHIVER_WARC_ENABLED"):
            raise NotConfigured("ARCHIVER_WARC_ENABLED is off")
        self.crawler = crawler
        self.stats: StatsCollector = crawler.stats
        self.crawl_id: str = settings["ARCHIVER_CRAWL_ID"]
        self.keep_credentials = settings.getbool("ARCHIVER_WARC_KEEP_CREDENTIALS")
        output_dir = Path(settings["ARCHIVER_OUTPUT_DIR"])
        warc_dir = settings.get("ARCHIVER_WARC_DIR") or output_dir / "warc"
        self.writer = RotatingWarcWriter(
            directory=Path(warc_dir),
            prefix=settings.get("ARCHIVER_WARC_PREFIX") or self.crawl_id,
            max_size=settings.getint("ARCHIVER_WARC_MAX_SIZE"),
            warcinfo=self._warcinfo,
        )
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCaptureMiddleware:
        return cls(crawler)

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

    def process_response(self, request: Request, response: Response) -> Response:
        if "cached" in response.flags:
            return response
        response_id, request_id = records.new_record_id(), records.new_record_id()
        date = records.warc_date()
        response_record = records.response_record(response, response_id, request_id, date)
        location = self.writer.write(response_record)
        self.writer.write(
            records.request_record(
                request, response.url, request_id, response_id, date, self.keep_credentials
            )
        )
        request.meta[CAPTURE_META_KEY] = Capture(
            location=location,
            url=response.url,
            status=response.status,
            payload_digest=response_record.rec_headers.get_header("WARC-Payload-Digest"),
            fetched_at=date,
            crawl_id=self.crawl_id,
        )
        self.stats.inc_value("archiver/warc/responses")
        self.stats.inc_value(f"archiver/warc/responses/status_{response.status}")
        if response_record.rec_headers.get_header("WARC-Truncated"):
            self.stats.inc_value("archiver/warc/truncated")
        return response

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
