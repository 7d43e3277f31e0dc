"""One run at a time per output directory.

Two runs writing the same WARC directory, catalog and ``JOBDIR`` would corrupt
each other's job state and recover each other's open files. The lock is an OS
file lock (``flock`` via the filelock library): the kernel releases it when
the process dies, even by ``kill -9``, so no stale lock ever blocks the next
scheduled run. Who holds it is written beside it, for the refusal message.
"""

from __future__ import annotations

import json
import os
import socket
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

LOCK_NAME = ".archiver.lock"
HOLDER_NAME = ".archiver.lock.json"
EXIT_LOCKED = 75  # EX_TEMPFAIL (sysexits.h): try again later


class RunLocked(RuntimeError):
    """Another run holds the output directory."""

    exit_code = EXIT_LOCKED


class RunLock:
    """Re-entrant within a process (the runner and the catalog extension both take it)."""

    def __init__(self, output_dir: Path) -> None:
        self.output_dir = Path(output_dir)
        self.path = self.output_dir / LOCK_NAME
        self.holder_path = self.output_dir / HOLDER_NAME
        self._lock: FileLock | None = None

    def acquire(self, crawl_id: str) -> None:
        self.output_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(self.path, timeout=0, is_singleton=True, preserve_lock_file=True)
        try:
            lock.acquire()
        except Timeout:
            raise RunLocked(self._refusal()) from None
        self._lock = lock
        if lock.lock_counter == 1:
            self.holder_path.write_text(json.dumps({
                "crawl_id": crawl_id, "pid": os.getpid(), "host": socket.gethostname(),
                "since": datetime.now(UTC).isoformat(timespec="seconds"),
            }))

    def release(self) -> None:
        if self._lock is not None:
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
