"""Item pipeline that appends each article's paywall verdict to its history.

The verdict is tied to the capture the item points at; for an article that
answered our conditional request with 304, that capture is the revisit record
and the verdict is the detector's on the payload read back from the earlier
record (the flag ``not_modified`` says so). Each verdict is stored with the
detector version and the extracted article, so an unchanged page can reuse
both on the next crawl (:mod:`archiver.reuse`).
"""

from __future__ import annotations

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler

from archiver.article import ArticleText
from archiver.catalog.extension import required_catalog_store
from archiver.paywall.verdict import PaywallVerdict
from archiver.reuse import detector_version, stored_article


class CatalogPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.store = required_catalog_store(crawler)
        self.crawl_id: str = crawler.settings["ARCHIVER_CRAWL_ID"]
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CatalogPipeline:
        return cls(crawler)

    def process_item(self, item):
        adapter = ItemAdapter(item)
        capture = self.store.capture_by_record_id(adapter.get("warc_record_id") or "")
        if capture is None:
            self.stats.inc_value("archiver/catalog/items_without_capture")
            return item
        verdict = adapter.get("paywall")
        article = ArticleText(
            title=adapter.get("title"), published=adapter.get("published"),
            authors=list(adapter.get("authors") or []), language=adapter.get("language"),
            text=adapter.get("text") or "",
        )
        if (count := adapter.get("word_count")) is not None:
            article.word_count = count  # the item's, not counted again
        self.store.record_article(
            self.crawl_id, capture, adapter["url"], adapter.get("final_url"),
            adapter.get("title"), PaywallVerdict.from_dict(verdict) if verdict else None,
            detector_version(), stored_article(article),
        )
        self.stats.inc_value("archiver/catalog/verdicts")
        return item
