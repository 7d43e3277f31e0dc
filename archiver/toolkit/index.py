"""Sorted CDXJ indexes (SURT keys) of WARC files, as pywb and ReplayWeb.page read them.

The indexing is cdxj-indexer's, the Webrecorder tool pywb and py-wacz use, run
with its defaults and ``--sort``, so ``archiver index`` and ``cdxj-indexer
--sort`` agree line for line. Its sorting buffer spills to temporary files, so
memory stays bounded on large crawls.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import IO

from cdxj_indexer import CDXJIndexer


def write_index(warcs: Sequence[Path], output: Path | IO[str]) -> None:
    """Write the sorted CDXJ index of ``warcs`` to a path or a text stream.

    The ``filename`` field is each WARC's base name, as in a pywb collection's
    ``archive/`` directory or a WACZ's ``archive/`` folder.
    """
    target = str(output) if isinstance(output, Path) else output
    CDXJIndexer(target, [str(path) for path in warcs], sort=True).process_all()
