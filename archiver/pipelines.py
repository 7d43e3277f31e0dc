"""Item pipelines: every item points at its record, and the archive explains itself."""

from __future__ import annotations

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from archiver.capture.middleware import WarcCaptureMiddleware
from archiver.catalog.extension import catalog_store
from archiver.catalog.store import CatalogStore
from archiver.paywall.record import CONTENT_TYPE, VerdictRecord
from archiver.paywall.verdict import PaywallVerdict

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


class PaywallRecordPipeline:
    """Writes each item's paywall verdict into the WARC (:mod:`archiver.paywall.record`)
    and counts verdicts.

    A page that answered 304 is archived as a revisit that needs the earlier
    capture's WARC for its payload anyway; when its verdict is the one the
    catalog holds for that earlier capture, the verdict record written then
    already describes it, and an unchanged recrawl writes no new one.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.capture: WarcCaptureMiddleware | None = None
        self.store: CatalogStore | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PaywallRecordPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.capture = self.crawler.get_downloader_middleware(WarcCaptureMiddleware)
        self.store = catalog_store(self.crawler)

    def _already_described(self, adapter: ItemAdapter) -> bool:
        if self.store is None:
            return False
        capture = self.store.capture_by_record_id(adapter.get("warc_record_id") or "")
        if capture is None or not capture.not_modified:
            return False
        earlier = self.store.last_verdict(adapter["url"], excluding=capture)
        return earlier is not None and earlier.verdict == adapter["paywall"]

    def process_item(self, item):
        adapter = ItemAdapter(item)
        if not adapter.get("paywall"):
            return item
        verdict = PaywallVerdict.from_dict(adapter["paywall"])
        self.stats.inc_value(f"archiver/paywall/{verdict.label}")
        if verdict.truncated:
            self.stats.inc_value("archiver/paywall/truncated")
        if self.capture is not None and self._already_described(adapter):
            self.stats.inc_value("archiver/paywall/records_unchanged")
        elif self.capture is not None:
            record = VerdictRecord(adapter["url"], adapter["warc_record_id"], adapter["paywall"])
            self.capture.write_metadata(
                record.target_uri, record.refers_to, record.payload(), CONTENT_TYPE
            )
        return item
