"""Worker processes that a signal to the whole process group does not kill.

A terminal's Ctrl-C and systemd's ``KillMode=control-group`` deliver SIGINT or
SIGTERM to every process of the crawl. The crawling process stops gracefully
(Scrapy finishes what is in flight and keeps the rest in ``JOBDIR``), but a
worker process that dies of the same signal takes its analyses with it.

Ignoring the signals in the pool's initializer is not enough on its own: a
worker is started on demand, mid-crawl, and takes a while (its imports, or its
fork) before its initializer runs. So the signals are also blocked in the
starting thread while a worker is started: the child inherits the blocked mask
from birth and unblocks the signals only once it ignores them; a signal meant
for the parent meanwhile stays pending and is delivered when the mask is
restored, so none is lost. CPython starts its ``multiprocessing.resource_tracker``
process the same way. The pool's fork server (:mod:`archiver.analysispool`) is
started by the first worker's start, so it is born with the mask too and keeps
it for life: its workers are forked blocked, and a SIGTERM to the group, which
CPython's fork server does not ignore (it ignores only SIGINT), cannot kill it.
"""

from __future__ import annotations

import signal
from multiprocessing.context import ForkServerContext, ForkServerProcess
from typing import Any

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def ignore_stop_signals() -> None:
    """In a worker: ignore SIGINT/SIGTERM, then take the signals blocked at its start."""
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


class _ShieldedForkServerProcess(ForkServerProcess):
    @staticmethod
    def _Popen(process_obj: Any) -> Any:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            return ForkServerProcess._Popen(process_obj)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)


class ShieldedForkServerContext(ForkServerContext):
    """The ``forkserver`` context, its fork server and children born with
    SIGINT/SIGTERM blocked."""

    Process = _ShieldedForkServerProcess
