"""Scrapy extension that keeps the catalog: one row per run, one per capture.

Built before the engine, it takes the output directory's run lock unless the
runner holds it already (:mod:`archiver.run.lock`), recovers what a killed run
left behind (:mod:`archiver.run.recovery`) and records the run. Other
components reach the catalog only through :func:`catalog_store`
(``None`` when ``ARCHIVER_CATALOG_ENABLED`` is off) or, when they need one,
:func:`required_catalog_store`; the capture middleware
through its index, :class:`archiver.catalog.index.CatalogIndex`
(``ARCHIVER_CAPTURE_INDEX``). When the engine stops it stores the run's stats,
summary and outcome, then releases the lock.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings
from sqlalchemy.engine import make_url
from twisted.internet.task import LoopingCall

from archiver.catalog.store import CatalogStore
from archiver.layout import OutputLayout
from archiver.run.lock import RunLock, held_lock
from archiver.run.outcome import outcome, run_summary
from archiver.run.recovery import recover

logger = logging.getLogger(__name__)

COMMIT_INTERVAL = 1.0  # seconds between catalog commits during a crawl

RECORDED_SETTINGS = (
    "JOBDIR", "USER_AGENT", "ROBOTSTXT_OBEY", "DOWNLOAD_DELAY", "CONCURRENT_REQUESTS",
    "CONCURRENT_REQUESTS_PER_DOMAIN", "AUTOTHROTTLE_ENABLED", "CLOSESPIDER_PAGECOUNT",
    "CLOSESPIDER_ITEMCOUNT", "DEPTH_LIMIT",
)


def recorded_settings(settings: BaseSettings) -> dict[str, Any]:
    """The settings a researcher needs to know how a run was made (no passwords)."""
    names = sorted(n for n in settings.attributes if n.startswith("ARCHIVER_"))
    recorded = {name: settings.get(name) for name in (*names, *RECORDED_SETTINGS)}
    if recorded.get("ARCHIVER_CATALOG_URL"):
        url = make_url(recorded["ARCHIVER_CATALOG_URL"])
        recorded["ARCHIVER_CATALOG_URL"] = url.render_as_string(hide_password=True)
    return json.loads(json.dumps(recorded, default=str))


class CatalogExtension:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("ARCHIVER_CATALOG_ENABLED"):
            raise NotConfigured("ARCHIVER_CATALOG_ENABLED is off")
        self.crawler = crawler
        self.crawl_id: str = settings["ARCHIVER_CRAWL_ID"]
        layout = OutputLayout.from_settings(settings)
        # Taken here only for a plain `scrapy crawl`: `archiver crawl` holds it already.
        self.lock: RunLock | None = None
        if held_lock(layout.output_dir) is None:
            self.lock = RunLock(layout)
            self.lock.acquire(self.crawl_id)
        self.store = CatalogStore(layout.catalog_url)
        self.recovery = recover(self.store, layout.warc_dir, layout.output_dir)
        self.committer = LoopingCall(self.store.commit)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CatalogExtension:
        return cls(crawler)

    def spider_opened(self, spider: Spider) -> None:
        self.store.start_crawl(self.crawl_id, spider.name, recorded_settings(self.crawler.settings))
        self.committer.start(COMMIT_INTERVAL, now=False)
        stats = self.crawler.stats
        stats.set_value("archiver/recovery/interrupted_runs", len(self.recovery.interrupted))
        stats.set_value("archiver/recovery/files_mended", len(self.recovery.mended))
        stats.set_value("archiver/recovery/rows_dropped", self.recovery.rows_dropped)

    def engine_stopped(self) -> None:
        """After ``spider_closed``: the WARC files are closed and their stats final."""
        if self.committer.running:
            self.committer.stop()
        stats = json.loads(json.dumps(self.crawler.stats.get_stats(), default=str))
        state = outcome(stats)
        self.store.finish_crawl(
            self.crawl_id, state.status, state.reason, state.exit_code, stats, run_summary(stats)
        )
        self.store.close()
        if self.lock is not None:
            self.lock.release()


def catalog_store(crawler: Crawler) -> CatalogStore | None:
    """The run's catalog, or ``None`` without one: the one way components ask."""
    extension = crawler.get_extension(CatalogExtension)
    return extension.store if extension is not None else None


def required_catalog_store(crawler: Crawler) -> CatalogStore:
    """The run's catalog, for components that do nothing without one: they are
    left out (``NotConfigured``) when the catalog is off."""
    store = catalog_store(crawler)
    if store is None:
        raise NotConfigured("no catalog (ARCHIVER_CATALOG_ENABLED is off)")
    return store
