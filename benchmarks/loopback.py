"""The benchmarks' loopback sites, each served from a process of its own.

The crawls run in processes of their own, and so does the site: a server in
the benchmark's own process would hold its GIL while building or answering
pages, and a site in the crawler's process would be measured as the crawler.
:func:`served` starts ``target(*args, ready, stop)`` in a child process, waits
for the base URL it puts on ``ready``, and sets ``stop`` when the block ends.
A :class:`PeakInFlight` passed to the child reports the most requests the site
was answering at once, run by run: what shows a crawl's concurrency in use.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from archiver.demo.server import RequestLog, Route, serve

START_TIMEOUT = 1200  # seconds: building a large real-page site takes minutes on a busy machine
POLL_SECONDS = 0.05


class PeakInFlight:
    """The most requests a site served by :func:`serve_until_stopped` answered at
    once since the last :meth:`reset`, shared between the two processes."""

    def __init__(self) -> None:
        self._peak = multiprocessing.Value("i", 0)
        self._reset = multiprocessing.Event()

    def reset(self) -> None:
        """Start counting afresh; returns once the site has."""
        self._reset.set()
        while self._reset.is_set():
            time.sleep(POLL_SECONDS / 5)

    @property
    def value(self) -> int:
        return self._peak.value

    def follow(self, log: RequestLog, stop) -> None:
        """In the site's process: publish the log's peak until ``stop`` is set."""
        while not stop.wait(POLL_SECONDS):
            with log.lock:
                if self._reset.is_set():
                    log.max_in_flight = log.in_flight
                    self._reset.clear()
                self._peak.value = log.max_in_flight


@contextmanager
def served(target: Callable[..., None], *args: Any) -> Iterator[str]:
    """The base URL of the site ``target(*args, ready, stop)`` serves, for the block."""
    ready, stop = multiprocessing.Queue(), multiprocessing.Event()
    server = multiprocessing.Process(target=target, args=(*args, ready, stop))
    server.start()
    try:
        yield ready.get(timeout=START_TIMEOUT)
    finally:
        stop.set()
        server.join(timeout=30)


def serve_until_stopped(routes: Mapping[str, Route], ready, stop, lifetime: float = 3600,
                        peak: PeakInFlight | None = None) -> None:
    """Serve ``routes`` (in the child process) until ``stop`` is set or ``lifetime`` passes."""
    with serve(routes, lifetime=lifetime) as running:
        if peak is not None:
            threading.Thread(target=peak.follow, args=(running.log, stop), daemon=True).start()
        ready.put(running.base_url)
        stop.wait(lifetime)
