"""``python -m benchmarks.render``: articles/s with rendering on, and Chromium's memory.

One crawl of the generated throughput site (``benchmarks/throughput/site.py``)
with ``archiver crawl --render``, served from its own process. While it runs,
the resident memory of every Chromium process under the crawl is sampled; a
browser that leaked pages or contexts would grow with the number of articles,
so the figure to read is the last third of the run against the first. With
``--compare`` the same crawl runs without ``--render`` first.

On a shared machine the wall-clock rate says more about the neighbours than
about the crawl, so the CPU time of the crawl and everything under it (analysis
workers, Playwright's driver, Chromium) is printed per article as well, with
the rate two otherwise idle cores would give at that cost, and the load
average during the run.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.throughput.__main__ import CRAWL_SPEED
from benchmarks.throughput.__main__ import _serve as serve_site

SAMPLE_SECONDS = 0.5
PAGE_SIZE = 4096


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found += children.get(pid, [])
        todo += children.get(pid, [])
    return found


def chromium_rss(root: int) -> tuple[int, int]:
    """(bytes resident, processes) of the Chromium processes under ``root``."""
    total = count = 0
    for pid in _descendants(root):
        try:
            if b"chrom" not in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0]:
                continue
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE
            count += 1
        except (OSError, IndexError, ValueError):
            continue
    return total, count


def children_cpu() -> float:
    """CPU seconds of every waited-for descendant so far (Chromium is reaped by its
    driver, the driver by the crawl, the crawl by us)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def crawl(base_url: str, output: Path, render: bool) -> tuple[dict, list[tuple[int, int]]]:
    command = [sys.executable, "-m", "archiver", "crawl", "--url", f"{base_url}/",
               "--output", str(output), "--crawl-id", "bench", *CRAWL_SPEED,
               *(["--render"] if render else [])]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True)
    samples: list[tuple[int, int]] = []

    def sample() -> None:
        while process.poll() is None:
            samples.append(chromium_rss(process.pid))
            time.sleep(SAMPLE_SECONDS)

    cpu_before = children_cpu()
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate(timeout=3600)
    sampler.join()
    cpu = children_cpu() - cpu_before
    load = os.getloadavg()[1]
    if process.returncode:
        raise SystemExit(stderr[-3000:])
    with sqlite3.connect(output / "catalog.sqlite") as db:
        (stats,) = db.execute("SELECT stats FROM crawls WHERE id = 'bench'").fetchone()
    return {**json.loads(stats), "cpu_seconds": cpu, "load": load}, samples


def report(name: str, stats: dict, samples: list[tuple[int, int]]) -> None:
    seconds = stats["elapsed_time_seconds"]
    articles = stats.get("item_scraped_count", 0)
    rendered = stats.get("archiver/render/pages", 0)
    print(f"{name:>14}: {articles} articles in {seconds:.1f} s = {articles / seconds:.2f} "
          f"articles/s ({rendered} rendered, {stats.get('archiver/render/failed', 0)} failed, "
          f"{stats.get('archiver/render/cache_hits', 0)} subresource cache hits)")
    per_article = stats["cpu_seconds"] / max(articles, 1)
    print(f"{'cpu':>14}: {per_article:.3f} CPU s per article (crawl, analysis, driver, "
          f"Chromium) = {2 / per_article:.1f} articles/s on 2 idle cores; load average "
          f"{stats['load']:.1f} during the run")
    running = [rss for rss, processes in samples if processes]
    if not running:
        return
    third = max(1, len(running) // 3)
    mb = 1024 ** 2
    print(f"{'chromium':>14}: peak {max(running) / mb:.0f} MB resident, median "
          f"{statistics.median(running[:third]) / mb:.0f} MB in the first third of the run, "
          f"{statistics.median(running[-third:]) / mb:.0f} MB in the last; at most "
          f"{max(processes for _, processes in samples)} processes")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.render")
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--compare", action="store_true",
                        help="first crawl the same site without rendering")
    args = parser.parse_args()
    ready, stop = multiprocessing.Queue(), multiprocessing.Event()
    server = multiprocessing.Process(target=serve_site, args=(args.articles, ready, stop))
    server.start()
    try:
        base_url = ready.get(timeout=120)
        for render in ([False, True] if args.compare else [True]):
            with tempfile.TemporaryDirectory() as tmp:
                stats, samples = crawl(base_url, Path(tmp), render)
            report("rendered" if render else "not rendered", stats, samples)
    finally:
        stop.set()
        server.join(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
