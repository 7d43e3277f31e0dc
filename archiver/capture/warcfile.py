"""Rotating WARC 1.1 files: named after the IIPC convention, written as ``.open``.

A file is ``{prefix}-{YYYYmmddHHMMSSfff}-{serial:05d}-{hostname}.warc.gz``; while
it is being written its name ends in ``.open`` so that no reader or uploader
takes a half-written file, and it is renamed when closed. Every file opens with
a ``warcinfo`` record, every record is its own gzip member, and the writer
flushes after each record so that a location handed out is already on disk.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from warcio.recordloader import ArcWarcRecord
from warcio.warcwriter import WARCWriter

WARC_VERSION = "1.1"
OPEN_SUFFIX = ".open"


@dataclass(frozen=True)
class RecordLocation:
    """Where a record landed: enough to open it again with a seek."""

    filename: str
    offset: int
    length: int
    record_id: str


def warc_filename(prefix: str, when: datetime, serial: int, hostname: str) -> str:
    stamp = when.strftime("%Y%m%d%H%M%S") + f"{when.microsecond // 1000:03d}"
    return f"{prefix}-{stamp}-{serial:05d}-{hostname}.warc.gz"


class RotatingWarcWriter:
    """Appends records to the current WARC file, starting a new one past ``max_size``.

    ``warcinfo`` returns the fields of the ``warcinfo`` record written at the top of
    each new file; it is a callable so that it can name the file it describes.
    """

    def __init__(
        self,
        directory: Path,
        prefix: str,
        max_size: int,
        warcinfo: Callable[[str], Mapping[str, str]],
        hostname: str | None = None,
    ) -> None:
        self.directory = Path(directory)
        self.prefix = prefix
        self.max_size = max_size
        self.hostname = hostname or socket.gethostname()
        self._warcinfo = warcinfo
        self._serial = 0
        self._file = None
        self._writer: WARCWriter | None = None
        self._name = ""
        self.warcinfo_id = ""
        self.closed_files: list[Path] = []
        self.records_written = 0
        self.bytes_written = 0

    @property
    def current_filename(self) -> str:
        return self._name

    def write(self, record: ArcWarcRecord) -> RecordLocation:
        """Write one record, flushed to the OS before its location is returned."""
        if self._file is not None and self._file.tell() >= self.max_size:
            self.close()
        if self._file is None:
            self._open()
        assert self._file is not None and self._writer is not None
        record.rec_headers.replace_header("WARC-Warcinfo-ID", self.warcinfo_id)
        return self._append(record)

    def _append(self, record: ArcWarcRecord) -> RecordLocation:
        assert self._file is not None and self._writer is not None
        offset = self._file.tell()
        self._writer.write_record(record)
        self._file.flush()
        length = self._file.tell() - offset
        self.records_written += 1
        self.bytes_written += length
        return RecordLocation(
            filename=self._name,
            offset=offset,
            length=length,
            record_id=record.rec_headers.get_header("WARC-Record-ID"),
        )

    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._serial += 1
        self._name = warc_filename(self.prefix, datetime.now(UTC), self._serial, self.hostname)
        self._file = open(self.directory / (self._name + OPEN_SUFFIX), "xb")  # noqa: SIM115
        self._writer = WARCWriter(self._file, gzip=True, warc_version=WARC_VERSION)
        info = self._writer.create_warcinfo_record(self._name, dict(self._warcinfo(self._name)))
        self.warcinfo_id = info.rec_headers.get_header("WARC-Record-ID")
        self._append(info)

    def close(self) -> None:
        """Close the current file and drop its ``.open`` suffix."""
        if self._file is None:
            return
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self._file = None
        final = self.directory / self._name
        os.replace(self.directory / (self._name + OPEN_SUFFIX), final)
        self.closed_files.append(final)
