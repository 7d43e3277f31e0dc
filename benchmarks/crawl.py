"""How a benchmark runs a crawl: in a process of its own, measured by ``wait4()``.

Our crawls run as an operator runs them, ``archiver crawl --url`` (the CLI's
start-up, the output directory's lock, the job directory, the catalog), so
every benchmark that compares a first run and a recrawl, or our crawl and
another crawler, measures that one path: :func:`archiver_crawl` builds its
command, :func:`run_measured` runs it and reports the CPU of its process tree
(analysis workers and start-up included).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CRAWL_SPEED = [
    "-s", "CONCURRENT_REQUESTS=16", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16",
    "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=ERROR",
    "-s", "REMOTE_CONTROL_ENABLED=False", "-s", "TELNETCONSOLE_ENABLED=0",
]
"""The benchmarks' crawl speed: 16 requests in flight against the loopback site,
no politeness delay (the crawler's defaults stay polite; these runs measure it,
not the site)."""


def archiver_crawl(start_url: str, output: Path, crawl_id: str, *settings: str) -> list[str]:
    """The command of one ``archiver crawl`` of ``start_url`` into ``output``, at
    :data:`CRAWL_SPEED`, with ``settings`` (``NAME=VALUE``) on top."""
    options = [item for setting in settings for item in ("-s", setting)]
    return [sys.executable, "-m", "archiver", "crawl", "--url", start_url, "--output",
            str(output), "--crawl-id", crawl_id, "--quiet", *CRAWL_SPEED, *options]


def run_measured(command: list[str], log: Path, timeout: float,
                 cwd: Path = ROOT) -> tuple[int, os.struct_rusage, float]:
    """Run ``command``; its exit status, resource usage (its tree) and wall seconds.

    Outside the project (``cwd`` elsewhere) Scrapy finds no ``scrapy.cfg``, so
    its settings, and the archiving add-on they install, stay out of the run."""
    started = time.monotonic()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=cwd,
                                   env=env)
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                process.returncode = os.waitstatus_to_exitcode(status)
                return process.returncode, usage, time.monotonic() - started
            if time.monotonic() > deadline:
                process.terminate()
                _, status, usage = os.wait4(process.pid, 0)
                process.returncode = os.waitstatus_to_exitcode(status)
                return process.returncode, usage, time.monotonic() - started
            time.sleep(0.05)
