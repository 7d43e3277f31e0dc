"""Where a crawl's files are: WARCs named on the command line or under a crawl directory.

Every toolkit verb accepts either WARC files or a crawl's output directory
(``DIR/warc/*.warc.gz`` and ``DIR/{crawl_id}.jsonl``); this module resolves both
the same way and names the path and the fix when something is missing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from archiver.console.errors import UsageError
from archiver.layout import OutputLayout
from archiver.toolkit.kinds import file_kind, wrong_kind

WARC_SUFFIXES = (".warc.gz", ".warc", ".arc.gz", ".arc")
NOT_ARCHIVES = ("html", "items", "wacz")
"""Kinds of file that are whole, but not WARCs: refused before anything is read or
written (exit 2). An empty or unreadable file is damage instead: named, skipped, exit 1."""


class InputError(UsageError):
    """A path on the command line that holds no archive; the message says what to give."""


def is_warc(path: Path) -> bool:
    return path.name.endswith(WARC_SUFFIXES)


def warc_paths(paths: Iterable[Path]) -> list[Path]:
    """The WARC files named, and those under named directories (``*.open`` files skipped:
    a crawl is still writing them); a named page, items file or WACZ is refused.

    For a crawl's output directory only its WARC directory is searched
    (:class:`~archiver.layout.OutputLayout`: ``DIR/warc/``, or where
    ``ARCHIVER_WARC_DIR`` put them): other folders there hold copies
    (``archiver replay``'s pywb collection in ``DIR/replay/``).
    """
    # s3:// URLs: local copies of their WARCs (imported here: it imports this module).
    from archiver.storage.remote import with_local_copies

    found: list[Path] = []
    for path in with_local_copies(paths):
        if path.is_dir():
            warc_dir = OutputLayout.of(path).warc_dir
            root = warc_dir if warc_dir.is_dir() else path
            found += sorted(p for p in root.rglob("*") if p.is_file() and is_warc(p))
        elif path.is_file():
            kind = file_kind(path)
            if kind in NOT_ARCHIVES:
                raise InputError(wrong_kind(str(path), kind,
                                            "WARC files or a crawl's output directory"))
            found.append(path)
        else:
            raise InputError(
                f"{path}: no such file or directory; give WARC files or a crawl's output "
                "directory (the --output of archiver crawl)"
            )
    if not found:
        raise InputError(
            f"{', '.join(map(str, paths))}: no WARC files (*.warc.gz, *.warc) found"
        )
    return found


def item_files(directory: Path) -> list[Path]:
    """The item files a crawl writes into its output directory, one per crawl."""
    return OutputLayout.of(directory).item_files()


def read_items(paths: Iterable[Path]) -> Iterator[dict[str, Any]]:
    """Items from JSON Lines files; a malformed line names its file and line number."""
    for path in paths:
        with open(path, encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    yield json.loads(line)
                except ValueError as error:
                    raise InputError(f"{path}:{number}: not a JSON item ({error})") from None
