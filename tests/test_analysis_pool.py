"""Page analysis in worker processes gives the items analysis in threads gives."""

from __future__ import annotations

from pathlib import Path

from archiver.demo.server import serve
from archiver.demo.site import demo_routes
from tests.crawling import crawl

COMPARED = ("url", "final_url", "title", "published", "authors", "text", "paywall")


def test_worker_processes_and_threads_agree(tmp_path: Path):
    results = {}
    with serve(demo_routes()) as site:
        for processes in ("0", "2"):
            result = crawl(site.base_url + "/", tmp_path / processes,
                           "-s", f"ARCHIVER_ANALYSIS_PROCESSES={processes}",
                           "-v")  # -v: Scrapy's "Enabled extensions" list on the console
            assert result.process.returncode == 0, result.process.stderr[-3000:]
            results[processes] = sorted(
                tuple(str(item[key]) for key in COMPARED) for item in result.items()
            )
    assert len(results["0"]) == 4
    assert results["0"] == results["2"]
    assert "AnalysisPool" in result.process.stderr, "the pool must be the one enabled"
