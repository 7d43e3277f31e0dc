"""An earlier capture's record, read wherever its WARC file now lives.

A 304 is answered from the record it confirmed (:mod:`archiver.capture.recrawl`).
With many workers on one catalog that record is often not in this worker's
WARC directory: another worker wrote it, or its file was uploaded and removed.
The catalog knows where each moved file went (``warc_files``) and each
record's offset and length (``captures``), so the record is read from the
local file, from the path the catalog names (a shared file system), or with
one ranged GET of the ``s3://`` object: a few kilobytes, never the whole file.

Finding a record asks the catalog and must run on the reactor thread (the
catalog session is not thread-safe); reading it touches no catalog, so a ranged
GET runs in a thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

from warcio.statusandheaders import StatusAndHeaders

from archiver.capture.link import Original
from archiver.capture.records import http_record, read_http_record
from archiver.storage.s3 import client as s3_client
from archiver.storage.s3 import is_s3_url, read_range

if TYPE_CHECKING:
    from archiver.catalog.store import CatalogStore


@dataclass(frozen=True)
class RecordSource:
    """Where one record's bytes are: a file (local path or ``s3://`` URL), offset, length."""

    location: str
    offset: int
    length: int

    @property
    def remote(self) -> bool:
        return is_s3_url(self.location)


class EarlierRecords:
    """Reads earlier records for one crawl: its own WARC directory first, then where
    the catalog says a file moved. The S3 client is made when a file is first found in
    S3, so a crawl whose records are all local never imports or configures boto3."""

    def __init__(self, warc_dir: Path, store: CatalogStore, settings: Any) -> None:
        self.warc_dir = warc_dir
        self.store = store
        self.settings = settings
        self.client: Any = None

    def locate(self, filename: str) -> str | None:
        """The WARC file's path or ``s3://`` URL; ``None`` where no one can read it."""
        local = self.warc_dir / filename
        if local.exists():
            return str(local)
        moved = self.store.warc_location(filename)
        if moved is None or not (is_s3_url(moved) or Path(moved).exists()):
            return None
        if is_s3_url(moved) and self.client is None:
            self.client = s3_client(self.settings)  # made here: one client, on one thread
        return moved

    def source(self, original: Original) -> RecordSource | None:
        location = self.locate(original.filename)
        capture = self.store.stored_capture(original.record_id)
        if location is None or capture is None:
            return None
        return RecordSource(location, original.offset, capture.warc_length)

    def read(self, source: RecordSource) -> tuple[StatusAndHeaders, bytes]:
        """The record's HTTP headers and stored payload (thread-safe; raises OSError)."""
        if source.remote:
            data = read_range(self.client, source.location, source.offset, source.length)
            return http_record(BytesIO(data), f"{source.location}@{source.offset}")
        return read_http_record(Path(source.location), source.offset)
