"""Item pipelines: every item points at its record, and the archive explains itself."""

from __future__ import annotations

import json

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from archiver import __version__
from archiver.capture.middleware import WarcCaptureMiddleware
from archiver.capture.revisits import PROFILE_NOT_MODIFIED
from archiver.catalog.extension import CatalogExtension

CAPTURE_FIELDS = ("warc_filename", "warc_offset", "warc_record_id")


class CaptureLinkPipeline:
    """Drops (and counts) any item that does not point at a written WARC record.

    Items from third-party spiders or from cache hits may lack a capture; an
    item without one would be unverifiable, so it never reaches a feed.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CaptureLinkPipeline:
        return cls(crawler)

    def process_item(self, item):
        adapter = ItemAdapter(item)
        missing = [f for f in CAPTURE_FIELDS if adapter.get(f) in (None, "")]
        if missing:
            self.stats.inc_value("archiver/items/dropped_uncaptured")
            raise DropItem(
                f"{adapter.get('url')}: no WARC capture ({', '.join(missing)} unset); "
                "items are only emitted for responses archived in this crawl"
            )
        self.stats.inc_value("archiver/items/linked")
        return item


VERDICT_CONTENT_TYPE = "application/json"
# Replay tools index metadata records by target URI: under the article's own URL
# the verdict would shadow the article in pywb (as Browsertrix's ``urn:pageinfo:``
# records would), so the verdict gets a URN of its own and points at the
# response record with WARC-Refers-To.
VERDICT_URN_PREFIX = "urn:paywall-verdict:"


class PaywallRecordPipeline:
    """Writes each item's paywall verdict into the WARC and counts verdicts.

    The verdict goes into a ``metadata`` record that refers to the article's
    response record, so an archive alone tells a researcher what was captured
    and why it was judged complete or walled, without our item files.

    A page that answered 304 is archived as a revisit that needs the earlier
    capture's WARC for its payload anyway; when its verdict is the one the
    catalog holds from that earlier capture, the verdict record written then
    already describes it, and an unchanged recrawl writes no new one.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.capture: WarcCaptureMiddleware | None = None
        self.catalog: CatalogExtension | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PaywallRecordPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.capture = self.crawler.get_downloader_middleware(WarcCaptureMiddleware)
        self.catalog = self.crawler.get_extension(CatalogExtension)

    def _already_described(self, adapter: ItemAdapter) -> bool:
        if self.catalog is None:
            return False
        store = self.catalog.store
        capture = store.capture_by_record_id(adapter.get("warc_record_id") or "")
        if capture is None or capture.revisit_profile != PROFILE_NOT_MODIFIED:
            return False
        history = store.verdict_history(adapter["url"])
        return bool(history) and history[-1].verdict == adapter["paywall"]

    def process_item(self, item):
        adapter = ItemAdapter(item)
        verdict = adapter.get("paywall")
        if not verdict:
            return item
        kind = verdict.get("kind") if verdict.get("detected") else "none"
        self.stats.inc_value(f"archiver/paywall/{kind}")
        if verdict.get("truncated"):
            self.stats.inc_value("archiver/paywall/truncated")
        if self.capture is not None and self._already_described(adapter):
            self.stats.inc_value("archiver/paywall/records_unchanged")
        elif self.capture is not None:
            document = {
                "type": "paywall-verdict",
                "software": f"news-archiver/{__version__}",
                "url": adapter["url"],
                "verdict": verdict,
            }
            self.capture.write_metadata(
                VERDICT_URN_PREFIX + adapter["url"],
                adapter["warc_record_id"],
                json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8"),
                VERDICT_CONTENT_TYPE,
            )
        return item
