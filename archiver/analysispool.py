"""A process pool for page analysis, so parsing and detection use every core.

Extraction and paywall detection cost 10-40 ms of CPU per article; in a thread
they hold the GIL against the reactor, which then downloads and archives less.
Worker processes (``ARCHIVER_ANALYSIS_PROCESSES``; ``0`` keeps Twisted's thread
pool) take that work off the crawling process entirely. Pages go to the
workers as bytes and come back as picklable analysis results.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import forkserver
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThread

from archiver.analysisworker import in_worker, init_worker
from archiver.workersignals import ShieldedForkServerContext

PRELOAD = "archiver.analysispreload"


def default_processes() -> int:
    """One worker per core.

    The crawling process needs about a quarter of what a page costs (14 of 52 ms
    CPU a real page), so with one worker fewer than cores it leaves most of a core
    idle while analysis sets the pace: on 2 idle cores, 600 real-page articles ran
    at 0.71x bare Scrapy's pages/s with one worker and 0.99x with two; the
    generated site at 1.35x either way (Dec 2026, load 0.1-1.0)."""
    return os.cpu_count() or 1


def _context() -> ShieldedForkServerContext:
    """Workers forked by a fork server that has loaded the analysers (:data:`PRELOAD`).

    Not ``fork``: forking this process, which runs a reactor and threads, is
    unsafe. Not ``spawn`` either: a spawned worker starts a new interpreter and
    imports and warms the analysers itself, about 0.75 s of CPU of each worker's
    first page. The fork server is a clean, single-threaded process started with
    the pool; it pays that once a crawl and forks each worker warm.
    """
    context = ShieldedForkServerContext()
    context.set_forkserver_preload([PRELOAD])
    return context


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
        self.started: Deferred | None = None
        """Fires once the first page is sent, and with it the pool started (:meth:`run`)."""
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AnalysisPool:
        return cls(crawler)

    def run(self, function: Callable[..., Any], *args: Any) -> Deferred:
        """``function(*args)`` in a worker; the Deferred fires on the reactor thread.

        The first page is sent from a thread, and the pages after it once it is: the
        first worker's start waits for the fork server to import and warm the
        analysers (0.7-1.6 s), which on the reactor thread would stall every download
        and write in flight."""
        from twisted.internet import reactor  # the one Scrapy installed, not the default

        deferred: Deferred = Deferred()

        def settle(future: Future) -> None:
            error = future.exception()
            if error is None:
                deferred.callback(future.result())
            else:
                deferred.errback(error)

        def submit(_: object = None) -> None:
            try:
                future = self._executor().submit(in_worker, function, *args)
            except Exception as error:  # a pool already shut down, or broken
                reactor.callFromThread(deferred.errback, error)
            else:
                future.add_done_callback(lambda done: reactor.callFromThread(settle, done))

        if self.started is None:
            self.started = deferToThread(submit)
        elif not self.started.called:
            self.started.addCallback(submit)
        else:
            submit()
        return deferred

    def _executor(self) -> ProcessPoolExecutor:
        if self.executor is None:
            with _POOLS_LOCK:
                self.executor = ProcessPoolExecutor(
                    self.processes, mp_context=_context(), initializer=init_worker)
                _POOLS.add(self)
        return self.executor

    def engine_stopped(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            with _POOLS_LOCK:
                _POOLS.discard(self)
                if not _POOLS:
                    _stop_fork_server()


_POOLS: set[AnalysisPool] = set()
"""This process's pools with workers: they share its one fork server, which stops only
once all its workers have (each holds the server's "alive" pipe): stopped by the last."""
_POOLS_LOCK = threading.Lock()


def _stop_fork_server() -> None:
    """Stop the fork server, once its workers are gone, and reap it.

    Its workers are its children: their CPU time reaches the crawling process's
    ``wait4()`` (what an operator's ``time`` and the benchmarks read) only through
    the server, once this process reaps it. Left alone it would exit with the
    crawling process, adopted and reaped by init, its time and theirs uncounted.
    CPython has no public call for this; its own tests stop the server so.
    """
    forkserver._forkserver._stop()
