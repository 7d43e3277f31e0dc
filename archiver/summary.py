"""The end-of-crawl summary an operator reads on the console."""

from __future__ import annotations

from archiver.runner import CrawlResult

PAYWALL_KINDS = ("hard", "soft", "registration")


def summary_lines(result: CrawlResult) -> list[str]:
    stats = result.stats
    rows: list[tuple[str, object]] = [
        ("responses archived", stats.get("archiver/warc/responses", 0)),
        ("fetch errors", stats.get("archiver/warc/fetch_errors", 0)),
        ("articles", stats.get("item_scraped_count", 0)),
    ]
    rows += [
        (f"paywalled, {kind}", stats[f"archiver/paywall/{kind}"])
        for kind in PAYWALL_KINDS
        if stats.get(f"archiver/paywall/{kind}")
    ]
    rows += [
        ("truncated", stats.get("archiver/paywall/truncated", 0)),
        ("WARC bytes", stats.get("archiver/warc/bytes", 0)),
        ("WARC files", result.output_dir / "warc"),
        ("items", result.items_path),
    ]
    return [f"crawl {result.crawl_id}: {result.finish_reason}"] + [
        f"  {label + ':':<20}{value}" for label, value in rows
    ]


def print_summary(result: CrawlResult) -> None:
    print("\n".join(summary_lines(result)))
