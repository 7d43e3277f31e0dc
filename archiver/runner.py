"""Running one crawl in this process, the way ``scrapy crawl`` would.

The CLI verbs build Scrapy settings from their arguments (output directory,
crawl id, the JSON Lines feed, ``-s NAME=VALUE`` overrides) and run a spider
with :class:`scrapy.crawler.CrawlerProcess`; the result says what was written
and whether the crawl should count as failed for a scheduler.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings

from archiver.addon import default_crawl_id

SETTINGS_MODULE = "archiver.settings"
GOOD_FINISH_REASONS = frozenset({"finished", "closespider_pagecount", "closespider_itemcount"})


class SettingError(ValueError):
    """A ``-s NAME=VALUE`` argument that cannot be used."""


@dataclass
class CrawlResult:
    crawl_id: str
    output_dir: Path
    items_path: Path
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def warc_files(self) -> list[Path]:
        return sorted((self.output_dir / "warc").glob("*.warc.gz"))

    @property
    def finish_reason(self) -> str:
        return str(self.stats.get("finish_reason", "not started"))

    @property
    def ok(self) -> bool:
        return self.finish_reason in GOOD_FINISH_REASONS


def parse_overrides(pairs: list[str]) -> dict[str, str]:
    overrides = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise SettingError(f"-s {pair!r}: expected NAME=VALUE, e.g. -s DOWNLOAD_DELAY=2")
        overrides[name.strip()] = value
    return overrides


def crawl_settings(
    output_dir: Path,
    crawl_id: str,
    max_pages: int | None = None,
    overrides: dict[str, str] | None = None,
) -> Settings:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", SETTINGS_MODULE)
    settings = get_project_settings()
    settings.set("ARCHIVER_OUTPUT_DIR", str(output_dir), priority="cmdline")
    settings.set("ARCHIVER_CRAWL_ID", crawl_id, priority="cmdline")
    items_path = output_dir / f"{crawl_id}.jsonl"
    settings.set(
        "FEEDS", {str(items_path): {"format": "jsonlines", "encoding": "utf-8"}}, "cmdline"
    )
    if max_pages:
        settings.set("CLOSESPIDER_PAGECOUNT", max_pages, priority="cmdline")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def run_crawl(
    spider: str,
    spider_args: dict[str, Any],
    output_dir: Path,
    crawl_id: str | None = None,
    max_pages: int | None = None,
    overrides: dict[str, str] | None = None,
) -> CrawlResult:
    crawl_id = crawl_id or default_crawl_id()
    output_dir.mkdir(parents=True, exist_ok=True)
    settings = crawl_settings(output_dir, crawl_id, max_pages, overrides)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider)
    process.crawl(crawler, **spider_args)
    process.start()
    return CrawlResult(
        crawl_id=crawl_id,
        output_dir=output_dir,
        items_path=output_dir / f"{crawl_id}.jsonl",
        stats=dict(crawler.stats.get_stats()),
    )
