"""Item pipeline that appends each article's paywall verdict to its history.

The verdict is tied to the capture the item points at; for an article that
answered our conditional request with 304, that capture is the revisit record
and the verdict is the detector's on the payload read back from the earlier
record (the flag ``not_modified`` says so).
"""

from __future__ import annotations

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from archiver.catalog.extension import CatalogExtension


class CatalogPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.extension: CatalogExtension | None = None
        if not crawler.settings.getbool("ARCHIVER_CATALOG_ENABLED"):
            raise NotConfigured("ARCHIVER_CATALOG_ENABLED is off")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CatalogPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.extension = self.crawler.get_extension(CatalogExtension)

    def process_item(self, item):
        if self.extension is None:
            return item
        adapter = ItemAdapter(item)
        store = self.extension.store
        capture = store.capture_by_record_id(adapter.get("warc_record_id") or "")
        if capture is None:
            self.stats.inc_value("archiver/catalog/items_without_capture")
            return item
        store.record_article(
            self.extension.crawl_id, capture, adapter["url"], adapter.get("final_url"),
            adapter.get("title"), adapter.get("paywall"),
        )
        self.stats.inc_value("archiver/catalog/verdicts")
        return item
