"""``python -m benchmarks.scaleout``: pages/s with 1, 2 and 4 workers on one Redis frontier.

A throwaway ``redis-server`` and the throughput benchmark's generated site
(served from its own process by :mod:`benchmarks.loopback`) are started on
loopback; for each worker count the frontier is seeded (``archiver seed``) and
that many ``archiver crawl --frontier`` processes run at once, each into its own
output directory.
Pages/s counts the response records (robots.txt aside) of all workers' WARCs
over the span of their ``WARC-Date``s, so start-up and the idle wait before a worker exits are
not counted. Three series: unthrottled (``DOWNLOAD_DELAY=0``: how far N workers
scale on this machine); with a per-site delay (the rate must stay at or under
``1 / delay`` whatever the number of workers); and with slow pages and a
per-site concurrency (``CONCURRENT_REQUESTS_PER_DOMAIN``, no delay: the site
must never have more requests in flight than that, in all). Each run prints
the most requests the site was answering at once, as the site counted them;
the throttled series end with 4 workers and the sharing turned off, for
contrast.
"""

from __future__ import annotations

import argparse
import multiprocessing
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import iso_date_to_datetime

from archiver.demo.server import serve
from benchmarks.loopback import served
from benchmarks.throughput.__main__ import CRAWL_SPEED
from benchmarks.throughput.site import site_routes
from tests.scaleout.services import redis_server

WORKERS = (1, 2, 4)
IDLE_CLOSE = "10"
# CRAWL_SPEED's per-site concurrency: the unthrottled series is limited by CPU, not by it.
PER_SITE_UNTHROTTLED = 16


def _serve(articles: int, latency: float, control: Connection, ready, stop) -> None:
    """The site (in the child process :func:`benchmarks.loopback.served` starts); each
    message on ``control`` asks for the peak in flight since the last one."""
    routes = site_routes(articles)
    for route in routes.values():
        route.delay = latency
    with serve(routes, lifetime=3600) as running:
        ready.put(running.base_url)
        while not stop.is_set():
            if control.poll(0.1):
                control.recv()
                with running.log.lock:
                    control.send(running.log.max_in_flight)
                    running.log.max_in_flight = running.log.in_flight


@dataclass
class Site:
    base_url: str
    control: Connection

    def peak_in_flight(self) -> int:
        """The most requests the site answered at once since the last call."""
        self.control.send(True)
        return self.control.recv()


@contextmanager
def site(articles: int, latency: float = 0.0) -> Iterator[Site]:
    control, remote = multiprocessing.Pipe()
    with served(_serve, articles, latency, remote) as base_url:
        yield Site(base_url, control)


def response_dates(output: Path) -> list[float]:
    dates = []
    for path in (output / "warc").glob("*.warc.gz"):
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                # robots.txt is fetched by each worker (not through the frontier): not a page.
                target = record.rec_headers.get_header("WARC-Target-URI")
                if record.rec_type == "response" and not target.endswith("/robots.txt"):
                    date = iso_date_to_datetime(record.rec_headers.get_header("WARC-Date"))
                    dates.append(date.timestamp())
    return dates


@dataclass(frozen=True)
class Series:
    label: str
    articles: int
    delay: float = 0.0
    concurrency: int = PER_SITE_UNTHROTTLED
    latency: float = 0.0

    @property
    def cap(self) -> str:
        """What the site must never see exceeded, whatever the number of workers."""
        if self.delay:
            return f"rate cap {1 / self.delay:.1f}/s"
        return f"in-flight cap {self.concurrency}"


def run(frontier: str, base_url: str, workers: int, series: Series, root: Path,
        shared: bool = True) -> tuple[int, int, float]:
    """(pages, workers that fetched pages, pages/s) of one run."""
    archiver = [sys.executable, "-m", "archiver"]
    subprocess.run([*archiver, "seed", "--frontier", frontier, "--url", f"{base_url}/"],
                   check=True, capture_output=True, timeout=300)
    settings = [*CRAWL_SPEED, "-s", f"DOWNLOAD_DELAY={series.delay}",
                "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={series.concurrency}",
                "-s", f"ARCHIVER_FRONTIER_IDLE_CLOSE={IDLE_CLOSE}",
                "-s", f"ARCHIVER_FRONTIER_POLITENESS={shared}"]
    outputs = [root / f"{series.label}-{workers}-{shared}-{n}" for n in range(workers)]
    processes = [subprocess.Popen([*archiver, "crawl", "--frontier", frontier, "--output",
                                   str(output), *settings],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                 for output in outputs]
    for process in processes:
        _, stderr = process.communicate(timeout=3600)
        if process.returncode:
            raise SystemExit(stderr[-3000:])
    per_worker = [response_dates(output) for output in outputs]
    dates = sorted(d for dates in per_worker for d in dates)
    return len(dates), sum(1 for d in per_worker if d), (len(dates) - 1) / (dates[-1] - dates[0])


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scaleout")
    parser.add_argument("--articles", type=int, default=300,
                        help="articles of the unthrottled site")
    parser.add_argument("--delay", type=float, default=0.25,
                        help="per-site DOWNLOAD_DELAY of the delay series")
    parser.add_argument("--throttled-articles", type=int, default=60)
    parser.add_argument("--concurrency", type=int, default=2,
                        help="CONCURRENT_REQUESTS_PER_DOMAIN of the concurrency series")
    parser.add_argument("--latency", type=float, default=0.5,
                        help="seconds each page of the concurrency series takes to answer")
    args = parser.parse_args()
    all_series = (
        Series("unthrottled", args.articles),
        Series(f"delay {args.delay}s", args.throttled_articles, delay=args.delay),
        Series(f"{args.concurrency} at once", args.throttled_articles,
               concurrency=args.concurrency, latency=args.latency),
    )
    with tempfile.TemporaryDirectory() as tmp, contextmanager(redis_server)(Path(tmp)) as frontier:
        root = Path(tmp)
        for series in all_series:
            with site(series.articles, series.latency) as served:
                baseline = None
                runs = [(workers, True) for workers in WORKERS]
                # The contrast: the same limits, each worker keeping only its own.
                runs += [(WORKERS[-1], False)] if series.label != "unthrottled" else []
                for workers, shared in runs:
                    pages, busy, rate = run(frontier, served.base_url, workers, series, root,
                                            shared)
                    peak = served.peak_in_flight()
                    baseline = baseline or rate
                    sharing = "" if shared else ", sharing off"
                    print(f"{series.label:>12}: {workers} worker(s): {pages} pages, {busy} "
                          f"fetched, {rate:6.1f} pages/s ({rate / baseline:.2f}x), at most "
                          f"{peak} in flight ({series.cap}){sharing}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
