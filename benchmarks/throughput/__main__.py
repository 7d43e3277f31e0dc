"""``python -m benchmarks.throughput``: pages/s of the full archiving crawl vs bare Scrapy.

Both crawls run in their own process against the same generated loopback site,
which is served from a third process so the server does not share a GIL with
either crawler. The goal (DEVELOPERS.md) is a ratio >= 0.85.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import subprocess
import sys
import tempfile
from pathlib import Path

from archiver.demo.server import serve
from benchmarks.throughput.site import site_routes

STATS_EXTENSION = "benchmarks.throughput.statsdump.StatsDump"

CRAWL_SPEED = [
    "-s", "CONCURRENT_REQUESTS=16", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16",
    "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=ERROR",
    "-s", "REMOTE_CONTROL_ENABLED=False", "-s", "TELNETCONSOLE_ENABLED=False",
]


def _serve(articles: int, ready, stop) -> None:
    with serve(site_routes(articles), lifetime=1800) as site:
        ready.put(site.base_url)
        stop.wait(1800)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.throughput")
    parser.add_argument("--articles", type=int, default=1500)
    args = parser.parse_args()
    ready, stop = multiprocessing.Queue(), multiprocessing.Event()
    server = multiprocessing.Process(target=_serve, args=(args.articles, ready, stop))
    server.start()
    base_url = ready.get(timeout=120)
    root = Path(__file__).resolve().parents[2]
    results = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            runs = {
                "bare scrapy": [
                    sys.executable, "-m", "scrapy", "runspider",
                    str(Path(__file__).with_name("bare.py")), "-a", f"url={base_url}/",
                    "-s", "ROBOTSTXT_OBEY=True", "-O", str(work / "bare.jsonl"),
                ],
                "archiving crawl": [
                    sys.executable, "-m", "scrapy", "crawl", "site", "-a", f"urls={base_url}/",
                    "-s", f"ARCHIVER_OUTPUT_DIR={work / 'out'}", "-O", str(work / "items.jsonl"),
                ],
            }
            for name, command in runs.items():
                stats_path = work / f"{name.split()[0]}-stats.json"
                extra = ["-s", f"EXTENSIONS={json.dumps({STATS_EXTENSION: 0})}",
                         "-s", f"BENCH_STATS_PATH={stats_path}"]
                process = subprocess.run(command + CRAWL_SPEED + extra, capture_output=True,
                                         text=True, cwd=root, timeout=1800)
                if process.returncode or not stats_path.exists():
                    print(process.stderr[-3000:], file=sys.stderr)
                    return 1
                results[name] = json.loads(stats_path.read_text())
    finally:
        stop.set()
        server.join(timeout=30)
    rates = {}
    for name, stats in results.items():
        pages = int(stats.get("response_received_count", 0))
        seconds = float(stats.get("elapsed_time_seconds", 0)) or float("nan")
        rates[name] = pages / seconds
        print(f"{name:>16}: {pages} pages in {seconds:6.2f} s = {rates[name]:6.1f} pages/s")
    ratio = rates["archiving crawl"] / rates["bare scrapy"]
    print(f"{'ratio':>16}: {ratio:.2f}x of bare Scrapy (goal >= 0.85x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
