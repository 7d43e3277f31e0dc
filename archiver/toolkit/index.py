"""Sorted CDXJ indexes (SURT keys) of WARC files, as pywb and ReplayWeb.page read them.

The indexing is cdxj-indexer's, the Webrecorder tool pywb and py-wacz use, run
with its defaults and ``--sort``, so ``archiver index`` and ``cdxj-indexer
--sort`` agree line for line. Its sorting buffer spills to temporary files, so
memory stays bounded on large crawls. Where cdxj-indexer stops at the first
record it cannot parse (losing the rest of the file and every later file), its
records come from :func:`read_records` here, which names the damage and skips
it, and a record it cannot index is named and left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from cdxj_indexer import CDXJIndexer
from warcio.recordloader import ArcWarcRecord

from archiver.toolkit.readable import Damage, ReadableRecords, describe, read_records


def _needs_block(record: ArcWarcRecord) -> bool:
    """Records whose block cdxj-indexer reads: request bodies (``requestBody`` of POSTs)
    and payloads without a stored digest (it computes one)."""
    return record.rec_type == "request" or not record.rec_headers.get_header(
        "WARC-Payload-Digest")


class TolerantIndexer(CDXJIndexer):
    """cdxj-indexer, reading each file through :func:`read_records`."""

    def __init__(self, output: Any, inputs: Sequence[str]) -> None:
        super().__init__(output, list(inputs), sort=True)
        self.damage: list[Damage] = []
        self._path = ""

    def process_one(self, input_, output, filename):
        self._path = filename
        return super().process_one(input_, output, filename)

    def _create_record_iter(self, input_):
        return ReadableRecords(read_records(
            input_, self._path, self.damage.append, keep=_needs_block,
            no_record_parse=not self.record_parse, arc2warc=True,
            verify_http=self.verify_http))

    def process_index_entry(self, it, record, filename, output):
        if not record.rec_headers.get_header("WARC-Target-URI"):
            if record.rec_type in ("response", "revisit", "resource"):
                self.damage.append(Damage(self._path, it.get_record_offset(),
                                          f"{record.rec_type} record without "
                                          "WARC-Target-URI; not indexed"))
            return
        try:
            super().process_index_entry(it, record, filename, output)
        except Exception as error:  # a field cdxj-indexer cannot build: name it, go on
            self.damage.append(Damage(self._path, it.get_record_offset(),
                                      f"not indexed ({describe(error)})"))


def write_index(warcs: Sequence[Path], output: Path | IO[str]) -> list[Damage]:
    """Write the sorted CDXJ index of ``warcs`` to a path or a text stream; return what
    could not be read or indexed (the rest is in the index).

    The ``filename`` field is each WARC's base name, as in a pywb collection's
    ``archive/`` directory or a WACZ's ``archive/`` folder.
    """
    target = str(output) if isinstance(output, Path) else output
    indexer = TolerantIndexer(target, [str(path) for path in warcs])
    indexer.process_all()
    return indexer.damage
