"""``python -m benchmarks.throughput``: archiving speed against bare Scrapy and wget.

For each site (a generated one, and one made of the real publishers' pages in
``../shared/corpus/fundus``, skipped with a reason when absent) one run prints:

* pages/s of bare Scrapy (following the same links, parsing titles), of our
  crawl in capture-only mode (``ARCHIVER_ANALYSIS=off``), of the full pipeline
  (capture, extraction, paywall detection, discovery, catalog) and of
  ``wget --warc-file -r``, and the ratios the issue asks for;
* the CPU time of an unchanged recrawl (304s, stored verdicts reused) against
  the first run's;
* ms of CPU per page for each analysis stage (parse, extraction, detection,
  discovery), measured in this process on the site's own article pages.

Then the peak RSS of full-pipeline crawls of 1k and 10k articles. Every crawl
runs in its own process against a site served from another process (no shared
GIL); pages/s is Scrapy's own ``response_received_count / elapsed_time_seconds``
(start-up excluded), CPU and peak RSS come from ``wait4()`` of the crawl's
process tree (analysis workers included). wget is time-boxed: its rate is
steady and a full crawl would take ten times as long as ours.
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from archiver.analysis import canonical_url
from archiver.demo.server import Route, serve
from archiver.discovery.classifier import is_article
from archiver.discovery.links import feed_links, page_links, page_requisites
from archiver.extraction import extract_article
from archiver.page import CapturedPage
from archiver.paywall import detect_paywall
from benchmarks.throughput import realsite, site

ROOT = Path(__file__).resolve().parents[2]
STATS_EXTENSION = "benchmarks.throughput.statsdump.StatsDump"
CRAWL_SPEED = [
    "-s", "CONCURRENT_REQUESTS=16", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16",
    "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=ERROR",
    "-s", "REMOTE_CONTROL_ENABLED=False", "-s", "TELNETCONSOLE_ENABLED=False",
]
GOALS = {"full pipeline": 0.85, "capture only": 0.95}
WGET_GOAL = 8.0
RECRAWL_GOAL = 0.20
RSS_GOAL = 1.3
SITES: dict[str, Callable[[int], dict[str, Route]]] = {
    "synthetic": site.site_routes, "real": realsite.site_routes,
}


@dataclass
class Run:
    pages: int
    seconds: float
    cpu: float
    """User + system CPU seconds of the process and the children it reaped."""
    max_rss_mb: float
    stats: dict = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.pages / self.seconds if self.seconds else float("nan")


def _serve(kind: str, articles: int, ready, stop) -> None:
    routes = SITES[kind](articles)
    for n, route in enumerate(routes.values()):
        route.etag = route.etag or f'"v{n}"'.encode()  # so a recrawl can get 304s
    with serve(routes, lifetime=3600) as running:
        ready.put(running.base_url)
        stop.wait(3600)


def _wait(command: list[str], log: Path, timeout: float,
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


def _crawl(command: list[str], work: Path, name: str, cwd: Path = ROOT) -> Run:
    stats_path = work / f"{name}-stats.json"
    extra = ["-s", f"EXTENSIONS={json.dumps({STATS_EXTENSION: 0})}",
             "-s", f"BENCH_STATS_PATH={stats_path}"]
    log = work / f"{name}.log"
    code, usage, _ = _wait(command + CRAWL_SPEED + extra, log, timeout=3600, cwd=cwd)
    if code or not stats_path.exists():
        raise SystemExit(f"{name} failed (exit {code}):\n{log.read_text()[-3000:]}")
    stats = json.loads(stats_path.read_text())
    if stats.get("bench/offsite_dropped"):
        print(f"  ({name}: {stats['bench/offsite_dropped']} off-loopback requests dropped)")
    return Run(int(stats.get("response_received_count", 0)),
               float(stats.get("elapsed_time_seconds", 0)),
               usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, stats)


def _bare(base_url: str, work: Path) -> Run:
    """Plain Scrapy: run from the work directory, away from the project's settings."""
    return _crawl([sys.executable, "-m", "scrapy", "runspider",
                   str(Path(__file__).with_name("bare.py")), "-a", f"url={base_url}/",
                   "-s", "ROBOTSTXT_OBEY=True", "-O", str(work / "bare.jsonl")], work, "bare",
                  cwd=work)


def _ours(base_url: str, work: Path, name: str, output: Path, *settings: str) -> Run:
    options = [item for setting in settings for item in ("-s", setting)]
    return _crawl([sys.executable, "-m", "scrapy", "crawl", "site", "-a", f"urls={base_url}/",
                   "-s", f"ARCHIVER_OUTPUT_DIR={output}", *options,
                   "-O", str(work / f"{name}.jsonl")], work, name)


def _wget(base_url: str, work: Path, seconds: float) -> Run:
    target = work / "wget"
    target.mkdir()
    log = work / "wget.log"
    _, usage, wall = _wait(["wget", "-r", "-l", "inf", "--no-verbose", "-P", str(target),
                            f"--warc-file={target / 'crawl'}", f"{base_url}/"], log, seconds)
    pages = len(re.findall(rb" URL:\S+ \[\d+", log.read_bytes()))
    return Run(pages, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def _stages(routes: dict[str, Route], sample: int) -> dict[str, float]:
    """Median CPU ms per article page for each analysis stage, as the worker runs them."""
    timings: dict[str, list[float]] = {"parse": [], "extraction": [], "detection": [],
                                       "discovery": []}
    articles = [(path, route) for path, route in routes.items()
                if path.startswith(("/news/", "/article/"))][:sample]
    for path, route in articles:
        body = gzip.decompress(route.body)
        page = CapturedPage(f"http://127.0.0.1{path}", body,
                            headers={"content-type": [route.content_type.decode()]})
        clock = time.process_time
        start = clock()
        page.tree  # noqa: B018 - the parse, cached on the page
        parsed = clock()
        is_article(page)
        page_links(page), feed_links(page), canonical_url(page), page_requisites(page)
        discovered = clock()
        article = extract_article(page)
        extracted = clock()
        detect_paywall(page, article)
        detected = clock()
        timings["parse"].append(parsed - start)
        timings["discovery"].append(discovered - parsed)
        timings["extraction"].append(extracted - discovered)
        timings["detection"].append(detected - extracted)
    return {stage: statistics.median(values) * 1000 for stage, values in timings.items()}


class _Site:
    """One site served from its own process for the length of a ``with`` block."""

    def __init__(self, kind: str, articles: int) -> None:
        self.kind, self.articles = kind, articles

    def __enter__(self) -> str:
        ready, self.stop = multiprocessing.Queue(), multiprocessing.Event()
        self.server = multiprocessing.Process(target=_serve,
                                              args=(self.kind, self.articles, ready, self.stop))
        self.server.start()
        return ready.get(timeout=1200)

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.server.join(timeout=30)


def _ratio(value: float, goal: float, wanted: str = ">=") -> str:
    met = value >= goal if wanted == ">=" else value <= goal
    return f"{value:5.2f}x  (goal {wanted} {goal}x: {'met' if met else 'MISSED'})"


def bench_site(kind: str, articles: int, wget_seconds: float, sample: int) -> None:
    print(f"\n== {kind} site: {articles} articles ==")
    with tempfile.TemporaryDirectory() as tmp, _Site(kind, articles) as base_url:
        work = Path(tmp)
        runs = {
            "bare scrapy": _bare(base_url, work),
            "capture only": _ours(base_url, work, "capture", work / "capture",
                                  "ARCHIVER_ANALYSIS=off"),
            "full pipeline": _ours(base_url, work, "full", work / "full"),
            "recrawl": _ours(base_url, work, "recrawl", work / "full"),
            "wget": _wget(base_url, work, wget_seconds),
        }
    for name, run in runs.items():
        print(f"{name:>14}: {run.pages:6d} pages in {run.seconds:7.2f} s = {run.rate:6.1f} "
              f"pages/s, {run.cpu:7.1f} s CPU ({run.cpu / max(run.pages, 1) * 1000:5.1f} ms "
              f"a page, start-up included), peak RSS {run.max_rss_mb:6.0f} MB")
    bare = runs["bare scrapy"].rate
    for name, goal in GOALS.items():
        print(f"{name + ' / bare':>22}: {_ratio(runs[name].rate / bare, goal)}")
    for name in GOALS:
        print(f"{name + ' / wget':>22}: {_ratio(runs[name].rate / runs['wget'].rate, WGET_GOAL)}")
    recrawl = runs["recrawl"].cpu / runs["full pipeline"].cpu
    stats = runs["recrawl"].stats
    print(f"{'recrawl CPU / first':>22}: {_ratio(recrawl, RECRAWL_GOAL, '<=')} "
          f"({stats.get('archiver/warc/revisits/not_modified', 0)} revisits of 304s, "
          f"{stats.get('archiver/analysis/reused', 0)} stored analyses reused)")
    stages = _stages(SITES[kind](min(articles, sample)), sample)
    print(f"{'ms per article page':>22}: " + ", ".join(
        f"{stage} {ms:.1f}" for stage, ms in stages.items()) + " (median CPU)")


def bench_rss(kind: str, sizes: list[int], analysis: str) -> None:
    mode = "full-pipeline" if analysis == "on" else "capture-only"
    print(f"\n== peak RSS of {mode} crawls, {kind} site ==")
    peaks = {}
    for articles in sizes:
        with tempfile.TemporaryDirectory() as tmp, _Site(kind, articles) as base_url:
            work = Path(tmp)
            run = _ours(base_url, work, f"rss-{articles}", work / "out",
                        f"ARCHIVER_ANALYSIS={analysis}")
        peaks[articles] = run.max_rss_mb
        print(f"{articles:>8} articles: {run.pages} pages at {run.rate:.1f} pages/s, "
              f"peak RSS {run.max_rss_mb:.0f} MB")
    low, high = min(sizes), max(sizes)
    print(f"{'RSS ratio':>17}: {_ratio(peaks[high] / peaks[low], RSS_GOAL, '<=')} "
          f"({high} vs {low} articles)")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.throughput")
    parser.add_argument("--articles", type=int, default=1500,
                        help="articles of each site for the speed runs")
    parser.add_argument("--site", choices=[*sorted(SITES), "none"], action="append",
                        help="only this site (repeatable); default both; none: RSS runs only")
    parser.add_argument("--rss", default="1000,10000",
                        help="article counts of the peak-RSS crawls ('' skips them)")
    parser.add_argument("--rss-site", choices=sorted(SITES), default="synthetic")
    parser.add_argument("--rss-analysis", choices=("on", "off"), default="on",
                        help="off: measure the RSS crawls in capture-only mode (much faster)")
    parser.add_argument("--wget-seconds", type=float, default=60.0)
    parser.add_argument("--sample", type=int, default=200,
                        help="article pages timed per analysis stage")
    args = parser.parse_args()
    for kind in [kind for kind in args.site or SITES if kind != "none"]:
        if kind == "real" and not realsite.available():
            print(f"\n== real site: skipped, no corpus at {realsite.FUNDUS} ==")
            continue
        bench_site(kind, args.articles, args.wget_seconds, args.sample)
    sizes = [int(size) for size in args.rss.split(",") if size.strip()]
    if sizes and (args.rss_site != "real" or realsite.available()):
        bench_rss(args.rss_site, sizes, args.rss_analysis)
    return 0


if __name__ == "__main__":
    sys.exit(main())
