"""``python -m benchmarks.render``: articles/s with rendering on, and Chromium's memory.

One crawl of the generated throughput site (``benchmarks/throughput/site.py``)
with ``archiver crawl --render``, served from its own process. While it runs,
the resident memory of every Chromium process under the crawl is sampled; a
browser that leaked pages or contexts would grow with the number of articles.
Tabs are replaced every 50 articles, so a bounded browser's memory is a saw-tooth:
the median in each tenth of the run says more than the last third against the
first. With ``--compare`` the same crawl runs without ``--render`` first.

On a shared machine the wall-clock rate says more about the neighbours than
about the crawl, so the CPU time of the crawl and everything under it (analysis
workers, Playwright's driver, Chromium) is printed per article as well, with
the rate two otherwise idle cores would give at that cost, and the load
average during the run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
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

from archiver.render.browser import chromium_path
from benchmarks.loopback import serve_until_stopped, served
from benchmarks.throughput.__main__ import CRAWL_SPEED, SITES

SAMPLE_SECONDS = 0.25
TICKS = os.sysconf("SC_CLK_TCK")


def _serve(kind: str, articles: int, ready, stop) -> None:
    """The site, with no added latency (in the child process :func:`served` starts)."""
    serve_until_stopped(SITES[kind](articles), ready, stop)


def _role(pid: int, root: int) -> str:
    """What a process under the crawl is: the crawl, its analysis workers, Playwright's
    driver, Chromium's browser process, or a Chromium child by its ``--type``."""
    if pid == root:
        return "crawl"
    # Chromium's zygote children rewrite their command line as one space-joined string.
    argv = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").split()
    if b"chrom" not in argv[0]:
        if b"node" in argv[0]:
            return "driver (node)"
        return "analysis workers" if b"python" in argv[0] else Path(argv[0].decode()).name
    kind = next((arg[7:].decode() for arg in argv if arg.startswith(b"--type=")), "browser")
    return f"chromium {kind}"


class Sampler:
    """The crawl's process tree, sampled: CPU seconds by role, Chromium's memory.

    ``getrusage(RUSAGE_CHILDREN)`` misses Chromium's renderers: they are children of
    its zygote, which is never waited for, so their CPU time reaches no parent
    (measured: the renderers were over half of the rendering cost). Every process is
    read from ``/proc`` instead, each counted at the last CPU time seen, so a process
    loses at most its final ``SAMPLE_SECONDS``. Memory is the proportional set size
    (shared pages split between the processes sharing them), summed over Chromium.
    """

    def __init__(self, root: int) -> None:
        self.root = root
        self.cpu: dict[int, tuple[str, float]] = {}
        self.memory: list[tuple[int, int]] = []
        self.memory_by_role: list[dict[str, int]] = []

    def sample(self) -> None:
        children: dict[int, list[int]] = {}
        times: dict[int, float] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            pid = int(stat.parent.name)
            children.setdefault(int(fields[1]), []).append(pid)
            times[pid] = (int(fields[11]) + int(fields[12])) / TICKS
        tree, todo = [self.root], [self.root]
        while todo:
            found = children.get(todo.pop(), [])
            tree += found
            todo += found
        pss = processes = 0
        by_role: dict[str, int] = {}
        for pid in tree:
            try:
                # Read each time: ``/usr/bin/chromium`` is a shell script that execs the
                # browser under its own PID, so a role fixed at first sight could be "sh".
                role = _role(pid, self.root)
            except (OSError, IndexError):  # gone, or a zombie (its command line empty)
                role = self.cpu.get(pid, ("exited", 0.0))[0]
            self.cpu[pid] = (role, times.get(pid, 0.0))
            if role.startswith("chromium"):
                with contextlib.suppress(OSError, ValueError):
                    size = _pss(pid)
                    pss += size
                    processes += 1
                    by_role[role] = by_role.get(role, 0) + size
        self.memory.append((pss, processes))
        if processes:
            self.memory_by_role.append(by_role)

    def by_role(self) -> dict[str, float]:
        roles: dict[str, float] = {}
        for role, seconds in self.cpu.values():
            roles[role] = roles.get(role, 0.0) + seconds
        return roles


def _pss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) * 1024
    return 0


def crawl(base_url: str, output: Path, render: bool, chromium: str) -> tuple[dict, Sampler]:
    command = [sys.executable, "-m", "archiver", "crawl", "--url", f"{base_url}/",
               "--output", str(output), "--crawl-id", "bench", *CRAWL_SPEED,
               *(["--render", "-s", f"ARCHIVER_RENDER_CHROMIUM={chromium}"] if render else [])]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True)
    sampler = Sampler(process.pid)

    def sample() -> None:
        while process.poll() is None:
            sampler.sample()
            time.sleep(SAMPLE_SECONDS)

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    _, stderr = process.communicate(timeout=3600)
    thread.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    reaped = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    load = os.getloadavg()[1]
    if process.returncode:
        raise SystemExit(stderr[-3000:])
    with sqlite3.connect(output / "catalog.sqlite") as db:
        (stats,) = db.execute("SELECT stats FROM crawls WHERE id = 'bench'").fetchone()
    return {**json.loads(stats), "reaped_cpu": reaped, "load": load}, sampler


def report(name: str, stats: dict, sampler: Sampler) -> None:
    seconds = stats["elapsed_time_seconds"]
    articles = max(stats.get("item_scraped_count", 0), 1)
    rendered = stats.get("archiver/render/pages", 0)
    print(f"{name:>14}: {articles} articles in {seconds:.1f} s = {articles / seconds:.2f} "
          f"articles/s ({rendered} rendered, {stats.get('archiver/render/failed', 0)} failed, "
          f"{stats.get('archiver/render/cache_hits', 0)} subresource cache hits); load "
          f"average {stats['load']:.1f} during the run")
    roles = sampler.by_role()
    # The crawl's own tail (after its last sample) is only in its rusage.
    cpu = max(sum(roles.values()), stats["reaped_cpu"])
    print(f"{'cpu':>14}: {cpu / articles:.3f} CPU s per article = {2 * articles / cpu:.1f} "
          f"articles/s on 2 idle cores (getrusage alone: {stats['reaped_cpu'] / articles:.3f})")
    print(f"{'':>14}  " + ", ".join(
        f"{role} {seconds / articles:.3f}" for role, seconds in
        sorted(roles.items(), key=lambda item: -item[1]) if seconds / articles >= 0.001))
    running = [pss for pss, processes in sampler.memory if processes]
    if not running:
        return
    third = max(1, len(running) // 3)
    mb = 1024 ** 2
    print(f"{'chromium':>14}: peak {max(running) / mb:.0f} MB (PSS), median "
          f"{statistics.median(running[:third]) / mb:.0f} MB in the first third of the run, "
          f"{statistics.median(running[-third:]) / mb:.0f} MB in the last; at most "
          f"{max(processes for _, processes in sampler.memory)} processes")
    print(f"{'':>14}  median PSS in each tenth of the run: {_tenths(running)} MB")
    roles = sorted({role for sample in sampler.memory_by_role for role in sample})
    for role in roles:
        samples = [sample.get(role, 0) for sample in sampler.memory_by_role]
        print(f"{'':>16}{role}: {_tenths(samples)}")


def _tenths(samples: list[int]) -> str:
    """The median of each tenth of ``samples``, in MB."""
    tenth = max(1, len(samples) // 10)
    return ", ".join(f"{statistics.median(samples[start:start + tenth]) / 1024 ** 2:.0f}"
                     for start in range(0, tenth * 10, tenth) if samples[start:start + tenth])


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.render")
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--site", choices=sorted(SITES), default="synthetic",
                        help="the generated site, or one made of real pages (../shared)")
    parser.add_argument("--chromium", default="",
                        help="ARCHIVER_RENDER_CHROMIUM (default: the crawl's own choice)")
    parser.add_argument("--compare", action="store_true",
                        help="first crawl the same site without rendering")
    args = parser.parse_args()
    print(f"{'browser':>14}: {chromium_path(args.chromium)}")
    with served(_serve, args.site, args.articles) as base_url:
        for render in ([False, True] if args.compare else [True]):
            with tempfile.TemporaryDirectory() as tmp:
                stats, sampler = crawl(base_url, Path(tmp), render, args.chromium)
            report("rendered" if render else "not rendered", stats, sampler)
    return 0


if __name__ == "__main__":
    sys.exit(main())
