"""The capture index backed by the catalog: dedup and conditional requests span runs.

The capture middleware builds its index from ``ARCHIVER_CAPTURE_INDEX``; the
add-on names this class when the catalog is on, and
:class:`archiver.capture.revisits.MemoryIndex` (within-run dedup) when it is off.
"""

from __future__ import annotations

from scrapy.crawler import Crawler

from archiver.capture.link import Original, RecordLink
from archiver.catalog.extension import catalog_store
from archiver.catalog.store import CatalogStore


class CatalogIndex:
    def __init__(self, store: CatalogStore) -> None:
        self.store = store

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CatalogIndex:
        store = catalog_store(crawler)
        if store is None:
            raise RuntimeError(
                "ARCHIVER_CAPTURE_INDEX names the catalog's index, but the catalog is off "
                "(ARCHIVER_CATALOG_ENABLED); use archiver.capture.revisits.MemoryIndex"
            )
        return cls(store)

    def original_for_digest(self, payload_digest: str) -> Original | None:
        return self.store.original_for_digest(payload_digest)

    def remember(self, link: RecordLink) -> None:
        """Catalog the capture: its records are flushed to disk."""
        self.store.add_capture(link)
