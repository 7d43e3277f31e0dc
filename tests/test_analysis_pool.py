"""Page analysis in worker processes gives the items analysis in threads gives."""

from __future__ import annotations

import subprocess
import sys
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


def test_a_worker_freezes_what_its_first_task_loaded():
    """After its first page a worker's long-lived objects are out of the cyclic
    GC's reach, and tasks still return their results."""
    script = ("import gc; from archiver.analysispool import _in_worker\n"
              "before = gc.get_freeze_count()\n"
              "assert _in_worker(len, 'page') == 4\n"
              "print(before, gc.get_freeze_count())")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    before, after = map(int, done.stdout.split())
    assert before == 0 and after > 10_000
