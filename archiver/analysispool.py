"""A process pool for page analysis, so parsing and detection use every core.

Extraction and paywall detection cost 10-40 ms of CPU per article; in a thread
they hold the GIL against the reactor, which then downloads and archives less.
Worker processes (``ARCHIVER_ANALYSIS_PROCESSES``; ``0`` keeps Twisted's thread
pool) take that work off the crawling process entirely. Pages go to the
workers as bytes and come back as picklable analysis results.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet.defer import Deferred

from archiver.analysisworker import in_worker, init_worker
from archiver.workersignals import ShieldedSpawnContext


def default_processes() -> int:
    """One worker per core.

    The crawling process needs about a quarter of what a page costs (14 of 52 ms
    CPU a real page), so with one worker fewer than cores it leaves most of a core
    idle while analysis sets the pace: on 2 idle cores, 600 real-page articles ran
    at 0.71x bare Scrapy's pages/s with one worker and 0.99x with two; the
    generated site at 1.35x either way (Dec 2026, load 0.1-1.0)."""
    return os.cpu_count() or 1


class AnalysisPool:
    def __init__(self, crawler: Crawler) -> None:
        setting = crawler.settings.get("ARCHIVER_ANALYSIS_PROCESSES")
        processes = default_processes() if setting in (None, "") else int(setting)
        if processes <= 0:
            raise NotConfigured("ARCHIVER_ANALYSIS_PROCESSES is 0: analysing in threads")
        self.processes = processes
        self.executor: ProcessPoolExecutor | None = None
        """Made for the first page sent (:meth:`_executor`): an unchanged recrawl that
        reuses every stored analysis then starts no pool (its queues and semaphores
        start multiprocessing's resource tracker, a Python process of its own)."""
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AnalysisPool:
        return cls(crawler)

    def run(self, function: Callable[..., Any], *args: Any) -> Deferred:
        """``function(*args)`` in a worker; the Deferred fires on the reactor thread."""
        from twisted.internet import reactor  # the one Scrapy installed, not the default

        deferred: Deferred = Deferred()

        def settle(future: Future) -> None:
            error = future.exception()
            if error is None:
                deferred.callback(future.result())
            else:
                deferred.errback(error)

        self._executor().submit(in_worker, function, *args).add_done_callback(
            lambda future: reactor.callFromThread(settle, future)
        )
        return deferred

    def _executor(self) -> ProcessPoolExecutor:
        if self.executor is None:
            # spawn, not fork: forking a process that runs a reactor and threads is unsafe.
            self.executor = ProcessPoolExecutor(
                self.processes,
                mp_context=ShieldedSpawnContext(),
                initializer=init_worker,
                initargs=(os.getpid(),),
            )
        return self.executor

    def engine_stopped(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
