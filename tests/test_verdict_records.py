"""Paywall verdicts travel with the capture: on the item and in a WARC metadata record."""

from __future__ import annotations

import json
import re
from pathlib import Path

from archiver.demo.server import serve
from archiver.demo.site import demo_routes
from tests.crawling import crawl


def test_verdicts_are_on_items_and_in_metadata_records(tmp_path: Path):
    with serve(demo_routes()) as site:
        result = crawl(site.base_url + "/", tmp_path)
    assert result.process.returncode == 0, result.process.stderr[-3000:]
    items = {item["url"].removeprefix(site.base_url): item for item in result.items()}
    walled = items["/news/2026/11/gulf-talks"]["paywall"]
    assert walled["detected"] and walled["kind"] == "hard" and walled["truncated"]
    assert walled["declared"] == "paywalled"
    assert any("Only $100 per year" in s["evidence"] for s in walled["signals"])
    free = items["/news/2026/11/harbour-reopens"]["paywall"]
    assert not free["detected"] and not free["truncated"], free["signals"]

    metadata = {r.header("WARC-Refers-To"): r for r in result.records()
                if r.rec_type == "metadata"}
    for item in items.values():
        record = metadata[item["warc_record_id"]]
        assert record.header("WARC-Target-URI") == "urn:paywall-verdict:" + item["url"]
        assert record.header("Content-Type") == "application/json"
        document = json.loads(record.block)
        assert document["type"] == "paywall-verdict"
        assert document["verdict"] == item["paywall"]
    assert re.search(r"paywalled, hard: +1\n", result.process.stdout), result.process.stdout
