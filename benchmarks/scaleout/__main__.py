"""``python -m benchmarks.scaleout``: pages/s with 1, 2 and 4 workers on one Redis frontier.

A throwaway ``redis-server`` and the throughput benchmark's generated site
(served from its own process) are started on loopback; for each worker count
the frontier is seeded (``archiver seed``) and that many ``archiver crawl
--frontier`` processes run at once, each into its own output directory.
Pages/s counts the response records (robots.txt aside) of all workers' WARCs
over the span of their ``WARC-Date``s, so start-up and the idle wait before a worker exits are
not counted. Two series: unthrottled (``DOWNLOAD_DELAY=0``: how far N workers
scale on this machine), and with a per-site delay (the rate must stay at or
under ``1 / delay`` whatever the number of workers).
"""

from __future__ import annotations

import argparse
import multiprocessing
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import iso_date_to_datetime

from archiver.demo.server import serve
from benchmarks.throughput.__main__ import CRAWL_SPEED
from benchmarks.throughput.site import site_routes
from tests.scaleout.services import redis_server

WORKERS = (1, 2, 4)
IDLE_CLOSE = "10"


def _serve(articles: int, ready, stop) -> None:
    with serve(site_routes(articles), lifetime=3600) as site:
        ready.put(site.base_url)
        stop.wait(3600)


@contextmanager
def site(articles: int) -> Iterator[str]:
    ready, stop = multiprocessing.Queue(), multiprocessing.Event()
    server = multiprocessing.Process(target=_serve, args=(articles, ready, stop))
    server.start()
    try:
        yield ready.get(timeout=120)
    finally:
        stop.set()
        server.join(timeout=30)


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


def run(frontier: str, base_url: str, workers: int, delay: float, root: Path,
        shared: bool = True) -> tuple[int, int, float]:
    """(pages, workers that fetched pages, pages/s) of one run."""
    archiver = [sys.executable, "-m", "archiver"]
    subprocess.run([*archiver, "seed", "--frontier", frontier, "--url", f"{base_url}/"],
                   check=True, capture_output=True, timeout=300)
    settings = [*CRAWL_SPEED, "-s", f"DOWNLOAD_DELAY={delay}",
                "-s", f"ARCHIVER_FRONTIER_IDLE_CLOSE={IDLE_CLOSE}",
                "-s", f"ARCHIVER_FRONTIER_POLITENESS={shared}"]
    outputs = [root / f"{workers}-{delay}-{shared}-{n}" for n in range(workers)]
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
                        help="per-site DOWNLOAD_DELAY of the throttled series")
    parser.add_argument("--throttled-articles", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, contextmanager(redis_server)(Path(tmp)) as frontier:
        root = Path(tmp)
        for label, articles, delay in (("unthrottled", args.articles, 0.0),
                                       (f"delay {args.delay}s", args.throttled_articles,
                                        args.delay)):
            with site(articles) as base_url:
                baseline = None
                runs = [(workers, True) for workers in WORKERS]
                # The contrast: the same delay, each worker keeping only its own pace.
                runs += [(WORKERS[-1], False)] if delay else []
                for workers, shared in runs:
                    pages, busy, rate = run(frontier, base_url, workers, delay, root, shared)
                    baseline = baseline or rate
                    cap = f", cap {1 / delay:.1f}/s" if delay else ""
                    turns = "" if shared else ", shared turns off"
                    print(f"{label:>12}: {workers} worker(s): {pages} pages, {busy} fetched, "
                          f"{rate:6.1f} pages/s ({rate / baseline:.2f}x){cap}{turns}",
                          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
