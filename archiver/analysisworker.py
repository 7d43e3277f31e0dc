"""The analysis worker process's side of :class:`~archiver.analysispool.AnalysisPool`.

A worker is forked by the pool's fork server, which has imported the modules
its initializer and tasks live in (:mod:`archiver.analysispreload`). This
module and :mod:`archiver.pageanalysis` need neither Scrapy nor Twisted, so
neither the fork server nor a worker imports them: they were 0.3 s of CPU of
each worker's start-up when every worker imported its own.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections.abc import Callable
from functools import cache
from typing import Any

from archiver.workersignals import ignore_stop_signals


def init_worker() -> None:
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
    The watcher waits on multiprocessing's sentinel of the process that started
    the worker (a pipe whose other end only the crawling process holds), not on
    the worker's parent: that is the pool's fork server, which stays up as long
    as any worker does.
    """
    ignore_stop_signals()
    crawl = multiprocessing.parent_process()
    if crawl is None:  # not started by multiprocessing: nothing to watch
        return

    def watch() -> None:
        crawl.join()  # returns once the crawling process is gone
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()


def in_worker(function: Callable[..., Any], *args: Any) -> Any:
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
