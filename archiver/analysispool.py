"""A process pool for page analysis, so parsing and detection use every core.

Extraction and paywall detection cost 10-40 ms of CPU per article; in a thread
they hold the GIL against the reactor, which then downloads and archives less.
Worker processes (``ARCHIVER_ANALYSIS_PROCESSES``; ``0`` keeps Twisted's thread
pool) take that work off the crawling process entirely. Pages go to the
workers as bytes and come back as picklable analysis results.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from functools import cache
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet.defer import Deferred

from archiver.workersignals import ShieldedSpawnContext, ignore_stop_signals

PARENT_CHECK_SECONDS = 1.0


def _init_worker(parent: int) -> None:
    """Worker initializer: leave stopping to the crawling process; exit once it is gone.

    A terminal's Ctrl-C and systemd's ``KillMode=control-group`` signal every
    process of the group. A worker that died of SIGINT/SIGTERM would break the
    pool: every analysis in flight, and every later one, would fail with
    ``BrokenProcessPool`` and its article never become an item. So workers
    ignore both (see :mod:`archiver.workersignals`); the crawling process stops
    gracefully, its pending analyses finish, and ``engine_stopped`` shuts the
    pool down.

    A crawl killed with SIGKILL cannot shut its pool down, and the workers'
    task queue never reports EOF (each worker holds both ends), so without
    the watcher they would linger forever, holding the crawl's stdout and stderr.
    """
    ignore_stop_signals()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()


def _in_worker(function: Callable[..., Any], *args: Any) -> Any:
    """``function(*args)``; after a worker's first task, its objects frozen out of
    the cyclic GC (:func:`gc.freeze`).

    What the first page loads (the analysers' modules, word lists, weights,
    compiled rules: 140,000 objects) lives as long as the worker, yet every
    full collection would walk it again: 1.1 ms of CPU a real page, 0.3 ms
    once frozen.
    """
    result = function(*args)
    _freeze_once()
    return result


@cache
def _freeze_once() -> None:
    gc.collect()
    gc.freeze()


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
        # spawn, not fork: forking a process that runs a reactor and threads is unsafe.
        self.executor = ProcessPoolExecutor(
            processes,
            mp_context=ShieldedSpawnContext(),
            initializer=_init_worker,
            initargs=(os.getpid(),),
        )
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

        self.executor.submit(_in_worker, function, *args).add_done_callback(
            lambda future: reactor.callFromThread(settle, future)
        )
        return deferred

    def engine_stopped(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)
