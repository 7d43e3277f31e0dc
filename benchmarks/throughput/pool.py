"""The analysis pool alone: what its workers spend outside the pages they analyse.

A site's HTML pages go straight to an :class:`~archiver.analysispool.AnalysisPool`
(no crawl, no network), as the crawl sends them. Printed: the CPU of the pool's
whole process tree (fork server and workers, reaped when the pool stops, so
this process's ``RUSAGE_CHILDREN`` holds them), the CPU its workers spent inside
:func:`~archiver.pageanalysis.analyse_page`, and the difference (start-up and the
hand-off of pages and results); each worker's first article against the median
article (what a worker's warm-up still costs); and the CPU this process spent
sending pages and taking results back, which in a crawl is the crawling
process's. The tree's CPU of the benchmark crawls, less the crawling process's,
also holds what the crawling process does after its spider closed; this does not.

Imported by the workers too (for :func:`_timed`): only the standard library at the top.
"""

from __future__ import annotations

import os
import resource
import statistics
import time
from typing import Any


def _timed(page: Any) -> tuple[float, int, bool]:
    """In a worker: ``analyse_page(page)``'s CPU seconds, the worker's pid, and
    whether the page was an article."""
    from archiver.pageanalysis import analyse_page

    start = time.process_time()
    analysis = analyse_page(page)
    return time.process_time() - start, os.getpid(), analysis.article is not None


def _cpu(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def print_pool(pages: list[Any], workers: int) -> None:
    from scrapy.utils.test import get_crawler

    from archiver.analysispool import AnalysisPool
    from archiver.analysisworker import in_worker

    load = os.getloadavg()[0]
    pool = AnalysisPool(get_crawler(settings_dict={"ARCHIVER_ANALYSIS_PROCESSES": workers}))
    children, own = (resource.getrusage(resource.RUSAGE_CHILDREN),
                     resource.getrusage(resource.RUSAGE_SELF))
    executor = pool._executor()
    results = [future.result() for future in
               [executor.submit(in_worker, _timed, page) for page in pages]]
    pool.engine_stopped()
    tree = _cpu(resource.getrusage(resource.RUSAGE_CHILDREN)) - _cpu(children)
    sending = _cpu(resource.getrusage(resource.RUSAGE_SELF)) - _cpu(own)
    inside = sum(seconds for seconds, _, _ in results)
    firsts: dict[int, float] = {}
    for seconds, pid, article in results:
        if article:
            firsts.setdefault(pid, seconds)
    articles = [seconds for seconds, _, article in results if article]
    count = len(pages)
    print(f"{'the pool alone':>40}: {workers} workers, {count} HTML pages (load {load:.1f})")
    print(f"{'':>40}  process tree {tree:.2f} s ({tree / count * 1000:.1f} ms a page), "
          f"inside analyse_page {inside:.2f} s ({inside / count * 1000:.1f} ms), outside "
          f"{tree - inside:.2f} s")
    if articles:
        print(f"{'':>40}  each worker's first article "
              f"{', '.join(f'{s * 1000:.0f}' for s in firsts.values())} ms, median article "
              f"{statistics.median(articles) * 1000:.1f} ms; sending pages and taking results "
              f"{sending / count * 1000:.1f} ms a page")
