"""Item pipelines that keep the promise "an item always points at its record"."""

from __future__ import annotations

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

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
