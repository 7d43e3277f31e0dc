"""Worker processes for the scale-out tests: ``archiver crawl --frontier`` run at once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.crawling import FAST, CrawlOutput

WORKER = [
    *FAST,
    # A per-site delay the workers share through Redis, and one request in flight per
    # worker, so that neither worker can take the whole frontier before the other is up.
    "-s", "DOWNLOAD_DELAY=0.05", "-s", "AUTOTHROTTLE_ENABLED=False",
    "-s", "CONCURRENT_REQUESTS=1",
    # Longer than a worker takes to turn a fetched page into new requests.
    "-s", "ARCHIVER_FRONTIER_IDLE_CLOSE=8",
]


def start_worker(frontier: str, output: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "archiver", "crawl", "--frontier", frontier,
         "--output", str(output), *WORKER, *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def finish(process: subprocess.Popen[str], output: Path) -> CrawlOutput:
    stdout, stderr = process.communicate(timeout=240)
    return CrawlOutput(output, subprocess.CompletedProcess(process.args, process.returncode,
                                                           stdout, stderr))
