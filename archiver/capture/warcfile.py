"""Rotating WARC 1.1 files: named after the IIPC convention, written as ``.open``.

A file is ``{prefix}-{YYYYmmddHHMMSSfff}-{serial:05d}-{hostname}.warc.gz``; while
it is being written its name ends in ``.open`` so that no reader or uploader
takes a half-written file, and it is renamed when closed. Every file opens with
a ``warcinfo`` record, every record is its own gzip member, and the writer
flushes after each record so that a location handed out is already on disk.
"""

from __future__ import annotations

import fcntl
import os
import socket
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord
from warcio.warcwriter import GzippingWrapper, WARCWriter

from archiver.capture.link import RecordLocation

WARC_VERSION = "1.1"
OPEN_SUFFIX = ".open"
PAIRED_TYPES = ("request", "response", "revisit")
NO_COMPUTED_PAYLOAD_DIGEST = ("warcinfo", "metadata", "revisit", "conversion", "resource")
"""Record types warcio must not compute a ``WARC-Payload-Digest`` for. WARC 1.1 (5.9)
allows the field only on records with a well-defined payload: a warcinfo or metadata
block is not a protocol message (FastWARC's check fails such a digest), and a
revisit's digest is the referred payload's, set by whoever writes the revisit. The
conversion and resource records we write (a rendered DOM, a screenshot) have their
block as payload (6.4, 6.8), so the optional field would only repeat
``WARC-Block-Digest``, and FastWARC 2.0.1 fails a payload digest on any record whose
block is not HTTP."""


GZIP_LEVEL = 6
"""zlib's default (gzip's too). warcio compresses at 9, which on the fundus pages
cost 7.3 ms median a 200 KB page in the crawling process against 5.0 ms at 6, for
files 0.75% smaller (level 1: 1.8 ms, 20% larger)."""


STORED_CONTENT_TYPES = frozenset({"image/png"})
"""Records whose block is already deflated, written as stored gzip members (level 0,
still one member per record): a rendered page's screenshot (860 KB for a 1280x2870
page) cost 22 ms CPU at level 6 to come out 6% smaller, a third of the crawling
process's rendering cost (cProfile by CPU time); stored, about 1 ms."""

COMPRESSED_PAYLOADS = frozenset({
    "image/jpeg", "image/png", "image/gif", "image/webp", "image/avif",
    "font/woff", "font/woff2", "application/font-woff", "application/font-woff2",
})
"""HTTP payloads compressed by their own format: their records are stored members too."""


def _member_level(record: ArcWarcRecord) -> int:
    """The gzip level of ``record``'s member: 0 (stored) where its block is mostly bytes
    compressed already, a ``Content-Encoding``d body (most news pages are sent gzipped)
    or a compressed image or font format, else :data:`GZIP_LEVEL`.

    Deflating gzip again gains nothing: on 92 fundus pages sent gzipped (65 KB each),
    level 6 cost 1.42 ms CPU a record in the crawling process for 0.1% smaller
    records, stored 0.04 ms."""
    if record.content_type in STORED_CONTENT_TYPES:
        return 0
    http = record.http_headers
    if http is None or record.rec_type != "response":
        return GZIP_LEVEL
    encoding = (http.get_header("Content-Encoding") or "identity").strip().lower()
    media = (http.get_header("Content-Type") or "").partition(";")[0].strip().lower()
    return 0 if encoding != "identity" or media in COMPRESSED_PAYLOADS else GZIP_LEVEL


MIN_LOOKAHEAD = 262
"""zlib's ``MIN_LOOKAHEAD``: deflate finds matches at most this much less than its
window back, so a window this much larger than the input deflates it as 32 KB would."""
SMALL_MEMBER = (1 << zlib.MAX_WBITS) - MIN_LOOKAHEAD
"""The most bytes a member holds back to size its window (:func:`window_bits`)."""


def window_bits(size: int) -> int:
    """The smallest deflate window (9 to 15 bits) that deflates ``size`` bytes into the
    same stream as zlib's largest one."""
    return max(9, min(zlib.MAX_WBITS, (size + MIN_LOOKAHEAD - 1).bit_length()))


class _GzipMember(GzippingWrapper):
    """One record as one gzip member, as warcio writes it, at ``level``.

    Its compressor's window is sized to the record (:func:`window_bits`), the same
    bytes out: a request or revisit record (two for each 304 of a recrawl) is under
    1 KB, for which zlib's full window made its compressor 256 KB instead of 136.
    warcio's own constructor is not called: it made a level-9 compressor that was
    thrown away. A member of a small record cost 100.7 us first, 12.1 us warm, now
    10.7 and 10.3 (load 4). A record holds back at most :data:`SMALL_MEMBER` bytes
    before it streams."""

    def __init__(self, out: BinaryIO, level: int = GZIP_LEVEL) -> None:
        self.out = out
        self.level = level
        self.compressor: Any = None
        self.held: list[bytes] = []
        self.held_size = 0

    def _start(self, wbits: int) -> None:
        self.compressor = zlib.compressobj(self.level, zlib.DEFLATED, wbits + 16)
        held, self.held = b"".join(self.held), []
        self.out.write(self.compressor.compress(held))

    def write(self, buff: bytes) -> None:
        if self.compressor is not None:
            self.out.write(self.compressor.compress(buff))
            return
        self.held.append(buff)
        self.held_size += len(buff)
        if self.held_size > SMALL_MEMBER:
            self._start(zlib.MAX_WBITS)

    def flush(self) -> None:
        if self.compressor is None:
            self._start(window_bits(self.held_size))
        super().flush()


class WarcWriter(WARCWriter):
    """warcio's writer, with no payload digest added where WARC 1.1 defines no payload,
    and each gzip member compressed at :data:`GZIP_LEVEL`, or stored where the block
    is compressed already (:func:`_member_level`)."""

    NO_PAYLOAD_DIGEST_TYPES = NO_COMPUTED_PAYLOAD_DIGEST

    def __init__(self, filebuf: BinaryIO, *args: Any, gzip: bool = True, **kwargs: Any) -> None:
        super().__init__(filebuf, *args, gzip=False, **kwargs)
        self.members = gzip

    def _write_warc_record(self, out: BinaryIO, record: ArcWarcRecord) -> None:
        if self.members:
            out = _GzipMember(out, _member_level(record))
        super()._write_warc_record(out, record)


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
        on_close: Callable[[Path], None] | None = None,
    ) -> None:
        self.directory = Path(directory)
        self.on_close = on_close
        self.prefix = prefix
        self.max_size = max_size
        self.hostname = hostname or socket.gethostname()
        self._warcinfo = warcinfo
        self._serial = 0
        self._file = None
        self._writer: WarcWriter | None = None
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
        # Held until the process ends: recovery leaves a file alone while it is held.
        fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._writer = WarcWriter(self._file, gzip=True, warc_version=WARC_VERSION)
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
        if self.on_close is not None:
            self.on_close(final)


@dataclass(frozen=True)
class MendedFile:
    """An ``.open`` file left by a killed run, cut to its last whole record and closed."""

    path: Path
    kept_bytes: int
    dropped_bytes: int
    records: int


def complete_members(data: bytes) -> Iterator[tuple[int, int, bytes]]:
    """``(offset, length, content)`` of each whole gzip member, stopping at a torn one.

    warcio reads a torn member as a short record rather than an error, so the
    gzip framing is checked here with zlib before warcio parses a member.
    """
    offset = 0
    while offset < len(data):
        inflater = zlib.decompressobj(wbits=31)
        try:
            content = inflater.decompress(data[offset:])
        except zlib.error:
            return
        if not inflater.eof:
            return
        length = len(data) - offset - len(inflater.unused_data)
        yield offset, length, content
        offset += length


def _whole_record(content: bytes) -> ArcWarcRecord | None:
    """The record in one member, if the member holds exactly one whole record."""
    try:
        record = next(iter(ArchiveIterator(BytesIO(content))))
        length = int(record.rec_headers.get_header("Content-Length"))
    except (ArchiveLoadFailed, StopIteration, ValueError, TypeError):
        return None
    head_end = content.find(b"\r\n\r\n") + 4
    return record if content[head_end + length :] == b"\r\n\r\n" else None


def concurrent_ids(record: ArcWarcRecord) -> list[str]:
    return [v for n, v in record.rec_headers.headers if n.lower() == "warc-concurrent-to"]


def mend_open_file(open_path: Path) -> MendedFile | None:
    """Truncate a killed run's ``.open`` file after its last whole record, and close it.

    A trailing HTTP record whose ``WARC-Concurrent-To`` partner did not make it to
    disk is dropped too: the capture middleware writes a pair before telling
    anyone about it, so nothing refers to half a pair. A file with no whole
    record left is deleted (``None`` is returned). A file a live writer still
    holds (another crawl sharing the WARC directory) raises ``BlockingIOError``.
    """
    with open(open_path, "rb") as probe:
        fcntl.flock(probe.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    data = open_path.read_bytes()
    kept: list[tuple[int, int, ArcWarcRecord]] = []
    for offset, length, content in complete_members(data):
        record = _whole_record(content)
        if record is None:
            break
        kept.append((offset, length, record))
    ids = {record.rec_headers.get_header("WARC-Record-ID") for _, _, record in kept}
    while kept and kept[-1][2].rec_type in PAIRED_TYPES and not (
        set(concurrent_ids(kept[-1][2])) <= ids
    ):
        ids.discard(kept.pop()[2].rec_headers.get_header("WARC-Record-ID"))
    if not kept:
        open_path.unlink()
        return None
    end = kept[-1][0] + kept[-1][1]
    with open(open_path, "r+b") as stream:
        stream.truncate(end)
        os.fsync(stream.fileno())
    final = open_path.with_name(open_path.name.removesuffix(OPEN_SUFFIX))
    os.replace(open_path, final)
    return MendedFile(final, end, len(data) - end, len(kept))
