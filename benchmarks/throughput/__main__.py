"""``python -m benchmarks.throughput``: archiving speed against bare Scrapy and wget.

For each site (a generated one, and one made of the real publishers' pages in
``../shared/corpus/fundus``, skipped with a reason when absent), served twice:
with no latency at all, and with a stated per-response latency (default
100 ms, every request answered after that long, many at once, as a real news
server does), one run prints:

* HTML pages/s and CPU ms per page of bare Scrapy (following the same links,
  parsing titles), of our crawl in capture-only mode (``ARCHIVER_ANALYSIS=off``),
  of the full pipeline (capture, extraction, paywall detection, discovery,
  catalog) and of ``wget --warc-file -r``, each as the median and range of
  ``--rounds`` interleaved rounds (bare, capture, full, recrawl, wget; again),
  with the machine's load average when each run started;
* the most requests the site was answering at once during each crawl (the
  concurrency each crawler really used: wget one, Scrapy up to 16);
* the ratios the issue asks for, per round, each with the load averages of its
  runs: by pages/s, wall clock, **the issue's measure** (our crawl may use the
  second core for its analysis workers; bare Scrapy is one process); by CPU per
  page (the whole process tree's CPU, as if the crawls shared one core: what a
  machine busy with other jobs lets us compare, since they disturb it less than
  they disturb wall-clock rates); and the pages/s ratio that the CPU figures
  project for idle cores (bare Scrapy bound by its one process, ours by the
  slower of the crawling process and its analysis workers, and by all the CPU
  spread over the cores), and that projected rate against wget's measured one
  (wget is bound by its sequential round trips, not by the load);
* the CPU time of an unchanged recrawl (304s, stored analyses and discovery
  reused) against the first run's;
* ms of CPU per page for each analysis stage (parse, extraction, detection,
  discovery), measured in this process on the site's own article pages; with
  ``--profile N``, the N functions of that analysis that spend most CPU; with
  ``--pool``, the same pages sent to an analysis pool alone (:mod:`.pool`): what
  its workers spend outside the pages, their first article against the median.

Then the peak RSS of crawls of 1k and 10k articles. Every crawl runs in its own
process against a site served from another process (no shared GIL); pages/s is
HTML pages (the site's home, sections and articles; requisites and 404s not
counted) over Scrapy's ``elapsed_time_seconds`` (start-up excluded), CPU and
peak RSS come from ``wait4()`` of the crawl's process tree (analysis workers
included, start-up included). Our crawls are ``archiver crawl`` runs, the
operator's command (:mod:`benchmarks.crawl`, as in ``benchmarks.recrawl``), so the
CLI's start-up, the job directory and the catalog are in every figure of ours,
the recrawl's too. wget is time-boxed.
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import json
import math
import os
import pstats
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from archiver.analysispool import default_processes
from archiver.demo.server import Route
from archiver.discovery.classifier import is_article
from archiver.discovery.links import feed_links, page_links, page_requisites
from archiver.extraction import article_of, article_text, page_metadata
from archiver.page import CapturedPage
from archiver.pageanalysis import analyse_page, canonical_url
from archiver.paywall import detect_paywall
from benchmarks.crawl import CRAWL_SPEED, ROOT, archiver_crawl, run_measured
from benchmarks.loopback import PeakInFlight, serve_until_stopped, served
from benchmarks.throughput import realsite, site
from benchmarks.throughput.pool import print_pool

STATS_EXTENSION = "benchmarks.throughput.statsdump.StatsDump"
PAGE_PATHS = r"^/(?:$|news/|article/|section/)"
"""The sites' HTML pages: what pages/s counts, for every crawler alike."""
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
    load: float = field(default_factory=lambda: os.getloadavg()[0])
    """The machine's 1-minute load average when the run started."""
    in_flight: int = 0
    """The most requests the site was answering at once during the run."""

    @property
    def rate(self) -> float:
        return self.pages / self.seconds if self.seconds else float("nan")

    @property
    def cpu_ms(self) -> float:
        """CPU per HTML page, start-up included."""
        return self.cpu / max(self.pages, 1) * 1000


def _serve(kind: str, articles: int, latency: float, peak: PeakInFlight, ready, stop) -> None:
    routes = SITES[kind](articles)
    for n, route in enumerate(routes.values()):
        route.etag = route.etag or f'"v{n}"'.encode()  # so a recrawl can get 304s
        route.delay = latency
    serve_until_stopped(routes, ready, stop, peak=peak)


@dataclass
class Site:
    """A served site: where, and the peak of requests in flight it counts."""

    base_url: str
    peak: PeakInFlight


def _crawl(command: list[str], site: Site, work: Path, name: str, cwd: Path = ROOT) -> Run:
    stats_path = work / f"{name}-stats.json"
    extra = ["-s", f"EXTENSIONS={json.dumps({STATS_EXTENSION: 0})}",
             "-s", f"BENCH_STATS_PATH={stats_path}", "-s", f"BENCH_PAGE_PATHS={PAGE_PATHS}"]
    log = work / f"{name}.log"
    load = os.getloadavg()[0]
    site.peak.reset()
    code, usage, _ = run_measured(command + extra, log, timeout=3600, cwd=cwd)
    if code or not stats_path.exists():
        raise SystemExit(f"{name} failed (exit {code}):\n{log.read_text()[-3000:]}")
    stats = json.loads(stats_path.read_text())
    if stats.get("bench/offsite_dropped"):
        print(f"  ({name}: {stats['bench/offsite_dropped']} off-loopback requests dropped)")
    return Run(int(stats.get("bench/pages", 0)), float(stats.get("elapsed_time_seconds", 0)),
               usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, stats, load,
               site.peak.value)


def _bare(site: Site, work: Path, name: str) -> Run:
    """Plain Scrapy: run from the work directory, away from the project's settings."""
    return _crawl([sys.executable, "-m", "scrapy", "runspider",
                   str(Path(__file__).with_name("bare.py")), "-a", f"url={site.base_url}/",
                   "-s", "ROBOTSTXT_OBEY=True", *CRAWL_SPEED, "-O", str(work / f"{name}.jsonl")],
                  site, work, name, cwd=work)


def _ours(site: Site, work: Path, name: str, output: Path, *settings: str) -> Run:
    """Our crawl as an operator runs it (``archiver crawl``), crawl id ``name``."""
    return _crawl(archiver_crawl(f"{site.base_url}/", output, name, *settings), site, work,
                  name)


def _wget(site: Site, work: Path, name: str, seconds: float) -> Run:
    target = work / name
    target.mkdir()
    log = work / f"{name}.log"
    load = os.getloadavg()[0]
    site.peak.reset()
    _, usage, wall = run_measured(["wget", "-r", "-l", "inf", "--no-verbose", "-P", str(target),
                            f"--warc-file={target / 'crawl'}", f"{site.base_url}/"], log,
                           seconds)
    fetched = re.findall(r" URL:(\S+) \[\d+", log.read_text(errors="replace"))
    pages = sum(1 for url in fetched if re.match(PAGE_PATHS, url.removeprefix(site.base_url)))
    return Run(pages, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, load=load,
               in_flight=site.peak.value)


STAGES = ("parse", "discovery", "text", "metadata", "detection")


def _sample(routes: dict[str, Route], sample: int) -> list[CapturedPage]:
    """About ``sample`` of the site's HTML pages, hubs and articles in proportion."""
    pages = [(path, route) for path, route in routes.items() if re.match(PAGE_PATHS, path)]
    found = []
    for path, route in pages[::-(-len(pages) // sample)]:
        encoded = any(name.lower() == b"content-encoding" for name, _ in route.headers)
        found.append(CapturedPage(f"http://127.0.0.1{path}",
                                  gzip.decompress(route.body) if encoded else route.body,
                                  headers={"content-type": [route.content_type.decode()]}))
    return found


def _stages(routes: dict[str, Route], sample: int) -> tuple[dict[str, list[float]], list[bool]]:
    """CPU ms of each analysis stage on about ``sample`` of the site's HTML pages
    (home and sections too, in proportion, as the crawl meets them), as the
    worker runs them; and which of the pages were articles. A page that is not
    an article costs parse and discovery alone, so the means over all pages add
    up to the workers' CPU a page, less their start-up and the pickling of pages
    and results. (Medians of article pages alone, the figure printed before,
    hid a third of it: the hubs, and the long tail of pages that need
    trafilatura's full mode.)"""
    timings: dict[str, list[float]] = {stage: [] for stage in STAGES}
    articles: list[bool] = []
    clock = time.process_time
    for page in _sample(routes, sample):
        start = clock()
        page.tree  # noqa: B018 - the decoding and parse, cached on the page
        parsed = clock()
        page_links(page), feed_links(page), canonical_url(page)
        article = is_article(page)
        if article:
            page_requisites(page)
        discovered = clock()
        extracted = measured = detected = discovered
        articles.append(article)
        if article:
            text = article_text(page)
            extracted = clock()
            metadata = page_metadata(page)
            measured = clock()
            detect_paywall(page, article_of(page, text, metadata))
            detected = clock()
        for stage, ms in zip(STAGES, (parsed - start, discovered - parsed,
                                      extracted - discovered, measured - extracted,
                                      detected - measured), strict=True):
            timings[stage].append(ms * 1000)
    return timings, articles


def _ratio(value: float, goal: float, wanted: str = ">=") -> str:
    met = value >= goal if wanted == ">=" else value <= goal
    return f"{value:5.2f}x (goal {wanted} {goal}x: {'met' if met else 'MISSED'})"


def _spread(values: list[float], unit: str = "", digits: int = 1) -> str:
    """Median and range of one figure over the rounds."""
    if len(values) == 1:
        return f"{values[0]:.{digits}f}{unit}"
    return (f"{statistics.median(values):.{digits}f}{unit} "
            f"[{min(values):.{digits}f}-{max(values):.{digits}f}]")


def _ratios(name: str, values: list[float], goal: float, wanted: str = ">=",
            loads: list[float] | None = None) -> None:
    """A ratio over the rounds: its median against the goal, the range, and the
    load averages the runs it compares started at."""
    spread = f" [{min(values):.2f}-{max(values):.2f}]" if len(values) > 1 else ""
    load = f"  (load {_spread(loads)})" if loads else ""
    print(f"{name:>40}: {_ratio(statistics.median(values), goal, wanted)}{spread}{load}")


CRAWLERS = ("bare scrapy", "capture only", "full pipeline", "recrawl", "wget")


def _round(site: Site, work: Path, n: int, wget_seconds: float,
           analysis: tuple[str, ...]) -> dict[str, Run]:
    """One interleaved round: every crawler once, one after the other."""
    full = work / f"full-{n}"
    return {
        "bare scrapy": _bare(site, work, f"bare-{n}"),
        "capture only": _ours(site, work, f"capture-{n}", work / f"capture-{n}",
                              "ARCHIVER_ANALYSIS=off"),
        "full pipeline": _ours(site, work, f"full-{n}", full, *analysis),
        "recrawl": _ours(site, work, f"recrawl-{n}", full, *analysis),
        "wget": _wget(site, work, f"wget-{n}", wget_seconds),
    }


def _loads(*runs: list[Run]) -> list[float]:
    return [run.load for done in runs for run in done]


def _idle_rate(ours: Run, cores: int, workers: int, latency_ms: float = 0) -> float:
    """The pages/s our crawl's CPU figures allow on ``cores`` idle cores.

    Ours is a crawling process (one core at most) and ``workers`` analysis
    processes (one core each), and in all no more than the cores: the rate is
    bound by the slowest of the three. The site's server, on the same cores
    here, is left out. With a latency, no more than the requests the crawl had
    in flight (:data:`CRAWL_SPEED`'s 16, the benchmark's setting, not the
    crawler's polite default) can come back each ``latency_ms``."""
    crawler = ours.stats["bench/crawler_cpu_s"] / max(ours.pages, 1) * 1000
    analysis = ours.cpu_ms - crawler
    rate = 1000 / max(crawler, analysis / max(workers, 1), ours.cpu_ms / cores)
    return min(rate, ours.in_flight * 1000 / latency_ms) if latency_ms else rate


def _projection(ours: Run, bare: Run, cores: int, workers: int) -> float:
    """The pages/s ratio to bare Scrapy, one process (one core at most), on idle cores."""
    return _idle_rate(ours, cores, workers) * bare.cpu_ms / 1000


def bench_site(kind: str, articles: int, latency_ms: float, rounds: int,
               wget_seconds: float, workers: int) -> None:
    latency = f"{latency_ms:g} ms per response" if latency_ms else "no latency"
    cores = os.cpu_count() or 1
    print(f"\n== {kind} site: {articles} articles, {latency}, {rounds} rounds, "
          f"{workers} analysis worker(s) on {cores} cores ==")
    runs: dict[str, list[Run]] = {name: [] for name in CRAWLERS}
    analysis = (f"ARCHIVER_ANALYSIS_PROCESSES={workers}",)
    peak = PeakInFlight()
    with tempfile.TemporaryDirectory() as tmp, served(_serve, kind, articles,
                                                       latency_ms / 1000, peak) as base_url:
        for n in range(rounds):
            for name, run in _round(Site(base_url, peak), Path(tmp), n, wget_seconds,
                                    analysis).items():
                runs[name].append(run)
    print(f"{'':>14}  {'HTML pages/s':>22}  {'CPU ms a page':>22}  {'pages':>6}  "
          f"{'in flight':>9}  {'peak RSS':>8}  load")
    for name, done in runs.items():
        print(f"{name:>14}: {_spread([r.rate for r in done]):>22}  "
              f"{_spread([r.cpu_ms for r in done]):>22}  {done[0].pages:6d}  "
              f"{max(r.in_flight for r in done):9d}  "
              f"{max(r.max_rss_mb for r in done):6.0f}MB  "
              f"{_spread([r.load for r in done])}")
    bare = runs["bare scrapy"]
    print("  the issue's measure, pages/s (wall clock, the crawls one after the other):")
    for name, goal in GOALS.items():
        pairs = list(zip(runs[name], bare, strict=True))
        _ratios(f"{name} / bare", [o.rate / b.rate for o, b in pairs], goal,
                loads=_loads(runs[name], bare))
    for name in GOALS:
        pairs = list(zip(runs[name], runs["wget"], strict=True))
        _ratios(f"{name} / wget", [o.rate / w.rate for o, w in pairs], WGET_GOAL,
                loads=_loads(runs[name], runs["wget"]))
    print("  by CPU a page (the process tree's CPU, as if on one shared core):")
    for name, goal in GOALS.items():
        pairs = list(zip(runs[name], bare, strict=True))
        _ratios(f"{name} / bare", [b.cpu_ms / o.cpu_ms for o, b in pairs], goal,
                loads=_loads(runs[name], bare))
    print(f"  projected from CPU for {cores} idle cores (bare Scrapy one process, "
          f"ours {workers} worker(s) beside the crawl):")
    for name, goal in GOALS.items():
        pairs = list(zip(runs[name], bare, strict=True))
        _ratios(f"{name} / bare", [_projection(o, b, cores, workers) for o, b in pairs],
                goal, loads=_loads(runs[name], bare))
    for name in GOALS:
        pairs = list(zip(runs[name], runs["wget"], strict=True))
        _ratios(f"{name} / wget (wget as measured)",
                [_idle_rate(o, cores, workers, latency_ms) / w.rate for o, w in pairs],
                WGET_GOAL,
                loads=_loads(runs[name], runs["wget"]))
    pairs = list(zip(runs["recrawl"], runs["full pipeline"], strict=True))
    _ratios("recrawl CPU / first run CPU", [r.cpu / f.cpu for r, f in pairs], RECRAWL_GOAL,
            "<=", loads=_loads(runs["recrawl"]))
    full = runs["full pipeline"]
    crawler_ms = [r.stats["bench/crawler_cpu_s"] / r.pages * 1000 for r in full]
    worker_ms = [r.cpu_ms - ms for r, ms in zip(full, crawler_ms, strict=True)]
    exit_ms = [r.stats.get("bench/crawler_exit_cpu_s", math.nan) / r.pages * 1000
               for r in full]
    print(f"{'full pipeline CPU a page':>40}: crawling process {_spread(crawler_ms, ' ms')}, "
          f"analysis workers {_spread(worker_ms, ' ms')} (the crawling process "
          f"{_spread(exit_ms, ' ms')} and the workers "
          f"{_spread([r.cpu_ms - ms for r, ms in zip(full, exit_ms, strict=True)], ' ms')} "
          f"with what it spends after the spider closed)")
    stats = runs["recrawl"][-1].stats
    print(f"{'':>40}  ({stats.get('archiver/warc/revisits/not_modified', 0)} revisits of "
          f"304s, {stats.get('archiver/analysis/reused', 0)} stored analyses and "
          f"{stats.get('archiver/discovery/reused', 0)} stored discoveries reused)")


def bench_rss(kind: str, sizes: list[int], analysis: str) -> None:
    mode = "full-pipeline" if analysis == "on" else "capture-only"
    print(f"\n== peak RSS of {mode} crawls, {kind} site ==")
    peaks = {}
    for articles in sizes:
        peak = PeakInFlight()
        with tempfile.TemporaryDirectory() as tmp, served(_serve, kind, articles,
                                                           0.0, peak) as base_url:
            work = Path(tmp)
            run = _ours(Site(base_url, peak), work, f"rss-{articles}", work / "out",
                        f"ARCHIVER_ANALYSIS={analysis}")
        peaks[articles] = run.max_rss_mb
        print(f"{articles:>8} articles: {run.pages} pages at {run.rate:.1f} pages/s, "
              f"peak RSS {run.max_rss_mb:.0f} MB (load {run.load:.1f})")
    low, high = min(sizes), max(sizes)
    print(f"{'RSS ratio':>17}: {_ratio(peaks[high] / peaks[low], RSS_GOAL, '<=')} "
          f"({high} vs {low} articles)")


def print_stages(kind: str, articles: int, sample: int) -> None:
    load = os.getloadavg()[0]
    timings, is_article_page = _stages(SITES[kind](articles), sample)
    means = {stage: statistics.mean(values) for stage, values in timings.items()}
    print(f"{'analysis CPU ms a page':>40}: " + ", ".join(
        f"{stage} {ms:.1f}" for stage, ms in means.items())
        + f", sum {sum(means.values()):.1f} (mean over {len(is_article_page)} HTML pages, "
        f"{sum(is_article_page)} articles; load {load:.1f})")
    if any(is_article_page):
        medians = {stage: statistics.median(ms for ms, article in zip(values, is_article_page,
                                                                       strict=True) if article)
                   for stage, values in timings.items()}
        print(f"{'median ms an article page':>40}: " + ", ".join(
            f"{stage} {ms:.1f}" for stage, ms in medians.items()))


def print_profile(kind: str, articles: int, sample: int, top: int) -> None:
    """What a worker runs on the sampled pages (:func:`analyse_page`), profiled on the
    CPU clock: the ``top`` functions by their own CPU, with what they and their
    callees took, ms a page. The profiler's own cost is in the figures, heavier
    on many small Python calls than on C, so read them as shares. The first
    page is analysed once before, so its loads (rules, word lists) are not counted."""
    pages = _sample(SITES[kind](articles), sample)
    load = os.getloadavg()[0]
    analyse_page(CapturedPage(pages[-1].url, pages[-1].body, headers=pages[-1].headers))
    profile = cProfile.Profile(time.process_time)
    profile.runcall(lambda: [analyse_page(page) for page in pages])
    rows = pstats.Stats(profile).stats
    total = sum(own for _, _, own, _, _ in rows.values())
    print(f"{'profile of the analysis':>40}: {total / len(pages) * 1000:.1f} ms CPU a page "
          f"with the profiler's, {len(pages)} pages (load {load:.1f})")
    print(f"{'own ms':>10} {'with callees':>13}  function")
    for (path, line, name), (_, _, own, cumulative, _) in sorted(
            rows.items(), key=lambda row: -row[1][2])[:top]:
        where = path.split("site-packages/")[-1].replace(f"{ROOT}/", "")
        print(f"{own / len(pages) * 1000:10.2f} {cumulative / len(pages) * 1000:13.2f}  "
              f"{where}:{line} {name}")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.throughput")
    parser.add_argument("--articles", type=int, default=1500,
                        help="articles of each site for the speed runs")
    parser.add_argument("--site", choices=[*sorted(SITES), "none"], action="append",
                        help="only this site (repeatable); default both; none: RSS runs only")
    parser.add_argument("--latency", default="0,100",
                        help="ms the site waits before each response, one set of runs each")
    parser.add_argument("--rounds", type=int, default=3,
                        help="interleaved rounds of every crawler, for the spread")
    parser.add_argument("--rss", default="1000,10000",
                        help="article counts of the peak-RSS crawls ('' skips them)")
    parser.add_argument("--rss-site", choices=sorted(SITES), default="synthetic")
    parser.add_argument("--rss-analysis", choices=("on", "off"), default="on",
                        help="off: measure the RSS crawls in capture-only mode (much faster)")
    parser.add_argument("--wget-seconds", type=float, default=60.0)
    parser.add_argument("--sample", type=int, default=200,
                        help="HTML pages timed per analysis stage, hubs and articles in proportion")
    parser.add_argument("--workers", type=int, default=default_processes(),
                        help="analysis worker processes of our crawls "
                             "(default: the crawl's own, one per core)")
    parser.add_argument("--pool", action="store_true",
                        help="also send the --sample pages to an analysis pool of --workers "
                             "alone and print what its workers spend outside the pages")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="also print the N functions of the workers' analysis that "
                             "spend most CPU, by cProfile on the --sample pages")
    args = parser.parse_args()
    latencies = [float(ms) for ms in args.latency.split(",") if ms.strip()]
    for kind in [kind for kind in args.site or SITES if kind != "none"]:
        if kind == "real" and not realsite.available():
            print(f"\n== real site: skipped, no corpus at {realsite.FUNDUS} ==")
            continue
        for latency in latencies:
            bench_site(kind, args.articles, latency, args.rounds, args.wget_seconds,
                       args.workers)
        print_stages(kind, args.articles, args.sample)
        if args.pool:
            print_pool(_sample(SITES[kind](args.articles), args.sample), args.workers)
        if args.profile:
            print_profile(kind, args.articles, args.sample, args.profile)
    sizes = [int(size) for size in args.rss.split(",") if size.strip()]
    if sizes and (args.rss_site != "real" or realsite.available()):
        bench_rss(args.rss_site, sizes, args.rss_analysis)
    return 0


if __name__ == "__main__":
    sys.exit(main())
