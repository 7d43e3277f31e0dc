"""One run at a time per output directory.

Two runs writing the same WARC directory, catalog and ``JOBDIR`` would corrupt
each other's job state and recover each other's open files. The lock is an OS
file lock (``flock`` via the filelock library): the kernel releases it when
the process dies, even by ``kill -9``, so no stale lock ever blocks the next
scheduled run. Who holds it is written beside it, for the refusal message.

A run takes it once: ``archiver crawl`` before it touches the JOBDIR, a plain
``scrapy crawl`` in the catalog extension, which asks :func:`held_lock` first.
"""

from __future__ import annotations

import json
import os
import socket
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from archiver.layout import OutputLayout
from archiver.run.outcome import ExitCode

_held: dict[Path, RunLock] = {}
"""The locks this process holds, by resolved output directory."""


class RunLocked(RuntimeError):
    """Another run holds the output directory."""

    exit_code = ExitCode.LOCKED


def held_lock(output_dir: Path) -> RunLock | None:
    """The lock this process already holds on ``output_dir``, if any."""
    return _held.get(Path(output_dir).resolve())


class RunLock:
    """The output directory's lock; not re-entrant: a second take in one process is refused."""

    def __init__(self, layout: OutputLayout) -> None:
        self.output_dir = layout.output_dir
        self.path = layout.lock_path
        self.holder_path = layout.lock_holder_path
        self._lock: FileLock | None = None

    def acquire(self, crawl_id: str) -> None:
        self.output_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(self.path, timeout=0, is_singleton=False, preserve_lock_file=True)
        try:
            lock.acquire()
        except Timeout:
            raise RunLocked(self._refusal()) from None
        self._lock = lock
        _held[self.output_dir.resolve()] = self
        self.holder_path.write_text(json.dumps({
            "crawl_id": crawl_id, "pid": os.getpid(), "host": socket.gethostname(),
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
        }))

    def release(self) -> None:
        if self._lock is not None:
            _held.pop(self.output_dir.resolve(), None)
            self._lock.release()
            self._lock = None

    def _refusal(self) -> str:
        try:
            holder = json.loads(self.holder_path.read_text())
            who = (f"crawl {holder['crawl_id']}, pid {holder['pid']} on {holder['host']}, "
                   f"since {holder['since']}")
        except (OSError, ValueError, KeyError):
            who = "holder unknown"
        return (f"{self.output_dir}: another archiver run is using this output directory "
                f"({who}; lock {self.path}). Not starting; the next scheduled run will "
                "try again.")
