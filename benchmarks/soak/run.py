"""One soak run: crawl the faulty site, then account for every page from the WARCs alone."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from benchmarks.soak.site import PERMANENT, serve_soak

STALL_SECONDS = 4.0
CRAWL = [
    "-s", "CONCURRENT_REQUESTS=32", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=32",
    "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=ERROR",
    "-s", "DOWNLOAD_TIMEOUT=2", "-s", "RETRY_TIMES=2", "-s", "ARCHIVER_WARC_MAX_SIZE=50000000",
]


@dataclass
class SoakResult:
    pages: int
    seconds: float
    exit_code: int
    lost: list[int] = field(default_factory=list)
    """Pages that should have been archived whole and are not."""
    duplicated: list[int] = field(default_factory=list)
    """Pages archived whole more than once."""
    failed: list[int] = field(default_factory=list)
    """Pages the server never served whole (permanent faults)."""
    failed_unrecorded: list[int] = field(default_factory=list)
    """Failed pages of which the WARCs hold no attempt at all."""
    counted_failed: int = 0
    """What the crawl's stats count as given up (``retry/max_reached``)."""
    warc_check: str = ""
    """``warcio check`` output for a failing check, empty when every file is valid."""
    rss_mb: list[float] = field(default_factory=list)
    faults: Counter[str] = field(default_factory=Counter)

    @property
    def peak_rss_mb(self) -> float:
        return max(self.rss_mb, default=0.0)


def _rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _sample(process: subprocess.Popen, samples: list[float], every: float = 0.5) -> None:
    while process.poll() is None:
        rss = _rss_mb(process.pid)
        if rss is not None:
            samples.append(rss)
        time.sleep(every)


def page_records(warc_dir: Path) -> tuple[Counter[int], Counter[int]]:
    """Per page: whole 200 responses, and every record about it (attempts, errors)."""
    whole: Counter[int] = Counter()
    seen: Counter[int] = Counter()
    for path in sorted(warc_dir.glob("*.warc.gz")):
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                url = record.rec_headers.get_header("WARC-Target-URI") or ""
                if "/p/" not in url or record.rec_type not in ("response", "metadata"):
                    continue
                page = int(url.rsplit("/p/", 1)[1])
                seen[page] += 1
                if (record.rec_type == "response"
                        and record.http_headers.get_statuscode() == "200"
                        and not record.rec_headers.get_header("WARC-Truncated")):
                    whole[page] += 1
    return whole, seen


def run_soak(pages: int, output: Path) -> SoakResult:
    with serve_soak(pages, STALL_SECONDS) as site:
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "archiver", "crawl", "--url", site.base_url + "/",
             "--output", str(output), "--crawl-id", "soak", *CRAWL],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        samples: list[float] = []
        sampler = threading.Thread(target=_sample, args=(process, samples), daemon=True)
        sampler.start()
        _, stderr = process.communicate(timeout=7200)
        sampler.join()
        seconds = time.monotonic() - started
        plan = site.plan
    result = SoakResult(pages=pages, seconds=seconds, exit_code=process.returncode,
                        rss_mb=samples, faults=Counter(plan.values()))
    whole, seen = page_records(output / "warc")
    result.failed = sorted(p for p, fault in plan.items() if fault in PERMANENT)
    failed = set(result.failed)
    result.lost = [p for p in range(pages) if p not in failed and whole[p] == 0]
    result.duplicated = [p for p in range(pages) if whole[p] > 1]
    result.failed_unrecorded = [p for p in result.failed if seen[p] == 0 or whole[p]]
    result.counted_failed = _stat(output, "retry/max_reached")
    files = [str(p) for p in sorted((output / "warc").glob("*.warc.gz"))]
    checked = subprocess.run([sys.executable, "-m", "warcio.cli", "check", *files],
                             capture_output=True, text=True)
    if checked.returncode or process.returncode:
        result.warc_check = checked.stdout + checked.stderr + stderr[-2000:]
    return result


def _stat(output: Path, name: str) -> int:
    with sqlite3.connect(output / "catalog.sqlite") as db:
        [(stats,)] = db.execute("SELECT stats FROM crawls WHERE id = 'soak'").fetchall()
    return int(json.loads(stats).get(name, 0))
