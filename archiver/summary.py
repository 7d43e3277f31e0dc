"""The end-of-crawl summary an operator reads on the console."""

from __future__ import annotations

from archiver.runner import CrawlResult


def print_summary(result: CrawlResult) -> None:
    stats = result.stats
    lines = [
        f"crawl {result.crawl_id}: {result.finish_reason}",
        f"  responses archived: {stats.get('archiver/warc/responses', 0)}",
        f"  fetch errors:       {stats.get('archiver/warc/fetch_errors', 0)}",
        f"  articles:           {stats.get('item_scraped_count', 0)}",
        f"  WARC bytes:         {stats.get('archiver/warc/bytes', 0)}",
        f"  WARC files:         {result.output_dir / 'warc'}",
        f"  items:              {result.items_path}",
    ]
    print("\n".join(lines))
