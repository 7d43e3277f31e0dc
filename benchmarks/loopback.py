"""The benchmarks' loopback sites, each served from a process of its own.

The crawls run in processes of their own, and so does the site: a server in
the benchmark's own process would hold its GIL while building or answering
pages, and a site in the crawler's process would be measured as the crawler.
:func:`served` starts ``target(*args, ready, stop)`` in a child process, waits
for the base URL it puts on ``ready``, and sets ``stop`` when the block ends.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from archiver.demo.server import Route, serve

START_TIMEOUT = 1200  # seconds: building a large real-page site takes minutes on a busy machine


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


def serve_until_stopped(routes: Mapping[str, Route], ready, stop, lifetime: float = 3600) -> None:
    """Serve ``routes`` (in the child process) until ``stop`` is set or ``lifetime`` passes."""
    with serve(routes, lifetime=lifetime) as running:
        ready.put(running.base_url)
        stop.wait(lifetime)
