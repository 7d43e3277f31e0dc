"""``python -m benchmarks.recrawl``: a first crawl and an unchanged recrawl, side by side.

For each site (the generated one, and the one made of the real publishers' pages
in ``../shared/corpus/fundus``, skipped with a reason when absent), served with
``ETag`` validators from a process of its own, one invocation runs
``archiver crawl`` twice into one output directory (one catalog): the first run,
then an unchanged recrawl, which should send conditional requests, get 304s,
reuse the stored analyses and discovery, and still archive every exchange (a
revisit for each 304) and emit every item with its verdict and record pointer.

Printed for each run: wall seconds, CPU seconds of the crawl's process tree
(``wait4()``: analysis workers and start-up included), the machine's load
average when the run started, WARC bytes, items, and the catalog's revisit
counts; then the recrawl's CPU against the goal (<= 20% of the first run's).
Start-up is shown by the same two runs against a site of one article: what a
crawl costs before and after its pages. With ``--no-catalog`` the two runs show
what the catalog saves and costs (no conditional requests, no dedup).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.crawl import archiver_crawl, run_measured
from benchmarks.loopback import PeakInFlight, served
from benchmarks.throughput import realsite
from benchmarks.throughput.__main__ import RECRAWL_GOAL, SITES, _serve

RUNS = ("first", "recrawl")


@dataclass
class Run:
    seconds: float
    cpu: float
    """User + system CPU seconds of the crawl's process tree."""
    load: float
    warc_bytes: int
    items: int
    items_with_record: int
    summary: dict
    stats: dict


def _items(path: Path) -> tuple[int, int]:
    """Items written, and those pointing at a WARC record and carrying a verdict."""
    if not path.exists():
        return 0, 0
    items = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    pointed = sum(1 for item in items if item.get("warc_record_id") and item.get("paywall"))
    return len(items), pointed


def _run(base_url: str, output: Path, crawl_id: str, catalog: bool) -> Run:
    command = archiver_crawl(f"{base_url}/", output, crawl_id,
                             f"ARCHIVER_CATALOG_ENABLED={catalog}")
    load = os.getloadavg()[0]
    log = output.parent / f"{output.name}-{crawl_id}.log"
    started = time.monotonic()
    code, usage, _ = run_measured(command, log, timeout=3600)
    seconds = time.monotonic() - started
    if code:
        raise SystemExit(f"{crawl_id} failed (exit {code}):\n{log.read_text()[-3000:]}")
    warc_bytes = sum(p.stat().st_size for p in (output / "warc").glob(f"{crawl_id}-*"))
    items, pointed = _items(output / f"{crawl_id}.jsonl")
    summary, stats = {}, {}
    if catalog:
        with sqlite3.connect(output / "catalog.sqlite") as db:
            raw_stats, raw_summary = db.execute(
                "SELECT stats, summary FROM crawls WHERE id = ?", (crawl_id,)).fetchone()
        summary, stats = json.loads(raw_summary), json.loads(raw_stats)
    return Run(seconds, usage.ru_utime + usage.ru_stime, load, warc_bytes, items, pointed,
               summary, stats)


def _pair(kind: str, articles: int, work: Path, catalog: bool) -> dict[str, Run]:
    """The first run and the unchanged recrawl of one site, into one output directory."""
    output = work / f"{kind}-{articles}"
    with served(_serve, kind, articles, 0.0, PeakInFlight()) as base_url:
        return {name: _run(base_url, output, name, catalog) for name in RUNS}


def _print_runs(runs: dict[str, Run]) -> None:
    for name, run in runs.items():
        summary = run.summary
        print(f"{name:>9}: {run.seconds:7.1f} s wall, {run.cpu:7.2f} s CPU (load {run.load:4.1f}), "
              f"{run.warc_bytes:>11,} WARC bytes, {run.items} items "
              f"({run.items_with_record} with verdict and record), "
              f"{summary.get('pages', '?')} full pages, "
              f"{summary.get('revisits_not_modified', '?')} revisits (304), "
              f"{summary.get('revisits_identical', '?')} revisits (duplicate)")


def bench_site(kind: str, articles: int, work: Path, catalog: bool) -> None:
    print(f"\n== {kind} site: {articles} articles ==")
    runs = _pair(kind, articles, work, catalog)
    _print_runs(runs)
    first, recrawl = runs["first"], runs["recrawl"]
    stats = recrawl.stats
    if catalog:
        print(f"{'':>11}(recrawl: {stats.get('archiver/analysis/reused', 0)} stored analyses "
              f"and {stats.get('archiver/discovery/reused', 0)} stored discoveries reused)")
    ratio = recrawl.cpu / first.cpu
    met = "met" if ratio <= RECRAWL_GOAL else "MISSED"
    print(f"{'CPU':>9}: the recrawl used {ratio:.1%} of the first run's CPU "
          f"(goal <= {RECRAWL_GOAL:.0%}: {met})")
    print(f"{'bytes':>9}: the recrawl wrote {recrawl.warc_bytes / first.warc_bytes:.1%} "
          f"of the first run's WARC bytes")
    startup = _pair(kind, 1, work, catalog)
    print(f"{'start-up':>9}: a crawl of a 1-article site: first "
          f"{startup['first'].cpu:.2f} s CPU (load {startup['first'].load:.1f}), recrawl "
          f"{startup['recrawl'].cpu:.2f} s CPU (load {startup['recrawl'].load:.1f}); "
          f"{startup['recrawl'].cpu / recrawl.cpu:.0%} of this recrawl's CPU")
    revisits = recrawl.summary.get("revisits_not_modified") or 0
    if revisits:
        # What the recrawl costs beyond a crawl's start-up, a page: the part that grows with
        # the site, against the first run's (start-up included) per page.
        per_page = (recrawl.cpu - startup["recrawl"].cpu) / revisits * 1000
        print(f"{'a 304':>9}: {per_page:.1f} ms CPU beyond start-up, against "
              f"{first.cpu / max(first.items, 1) * 1000:.1f} ms an item on the first run")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.recrawl")
    parser.add_argument("--articles", type=int, default=1500)
    parser.add_argument("--site", choices=sorted(SITES), action="append",
                        help="only this site (repeatable); default both")
    parser.add_argument("--no-catalog", action="store_true",
                        help="turn the catalog off (no conditional requests, no dedup)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.site or SITES:
            if kind == "real" and not realsite.available():
                print(f"\n== real site: skipped, no corpus at {realsite.FUNDUS} ==")
                continue
            bench_site(kind, args.articles, Path(tmp), not args.no_catalog)
    return 0


if __name__ == "__main__":
    sys.exit(main())
