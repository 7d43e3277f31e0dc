"""After a killed run: close its torn WARC files and forget what did not reach the disk.

Runs under the run lock, before anything is written. Each ``.open`` file is cut
after its last whole record and renamed (see
:func:`archiver.capture.warcfile.mend_open_file`); catalog rows and items of
the interrupted runs that point past the end of a file, or into a file that is
gone, are removed. Records are flushed before their rows and items are
written, so this normally removes nothing: it is the guarantee, not the habit.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from archiver.capture.warcfile import OPEN_SUFFIX, MendedFile, mend_open_file
from archiver.catalog.store import CatalogStore

logger = logging.getLogger(__name__)


@dataclass
class Recovery:
    interrupted: list[str] = field(default_factory=list)
    mended: list[MendedFile] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    rows_dropped: int = 0
    items_dropped: int = 0


def recover(store: CatalogStore, warc_dir: Path, output_dir: Path) -> Recovery:
    recovery = Recovery(interrupted=store.mark_interrupted())
    for open_path in sorted(Path(warc_dir).glob(f"*{OPEN_SUFFIX}")):
        name = open_path.name.removesuffix(OPEN_SUFFIX)
        try:
            mended = mend_open_file(open_path)
        except BlockingIOError:
            logger.info("%s is being written by another live crawl; left alone", open_path)
            continue
        if mended is None:
            recovery.deleted.append(name)
        else:
            recovery.mended.append(mended)
            logger.warning(
                "recovered %s from a killed run: kept %d records (%d bytes), cut %d torn bytes",
                mended.path, mended.records, mended.kept_bytes, mended.dropped_bytes,
            )
    for name in store.referenced_files(recovery.interrupted) | set(recovery.deleted):
        path = Path(warc_dir) / name
        if path.with_name(name + OPEN_SUFFIX).exists():
            continue  # still held by a live writer
        recovery.rows_dropped += store.drop_captures_beyond(
            name, path.stat().st_size if path.exists() else 0
        )
    for crawl_id in recovery.interrupted:
        recovery.items_dropped += repair_items(Path(output_dir) / f"{crawl_id}.jsonl", warc_dir)
    if recovery.rows_dropped or recovery.items_dropped:
        logger.warning("recovery dropped %d catalog rows and %d items pointing past the end "
                       "of their WARC files", recovery.rows_dropped, recovery.items_dropped)
    return recovery


def _resolves(item: dict, warc_dir: Path) -> bool:
    path = warc_dir / str(item.get("warc_filename"))
    end = int(item.get("warc_offset") or 0) + int(item.get("warc_length") or 0)
    return path.exists() and end <= path.stat().st_size


def repair_items(items_path: Path, warc_dir: Path) -> int:
    """Drop a torn last line, and items whose record is not on disk; return how many."""
    if not items_path.exists():
        return 0
    kept, dropped = [], 0
    for line in items_path.read_bytes().split(b"\n"):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError:
            dropped += 1
            continue
        if _resolves(item, Path(warc_dir)):
            kept.append(line)
        else:
            dropped += 1
    if dropped:
        items_path.write_bytes(b"".join(line + b"\n" for line in kept))
    return dropped
