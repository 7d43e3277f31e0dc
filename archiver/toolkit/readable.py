"""Reading the records of WARC and ARC files that may be damaged, and naming the damage.

A torn gzip member, a record whose header does not parse or a run of garbage
makes warcio's ``ArchiveIterator`` raise, and everything after it is lost. The
toolkit's verbs must name each problem with its file and offset and still read
the rest, so ``read_records`` catches the failure, finds where the next record
starts (the next gzip member that inflates to a record header, or the next
``WARC/`` line of an uncompressed file) and goes on with a fresh iterator there.
"""

from __future__ import annotations

import contextlib
import io
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord, ArcWarcRecordLoader

GZIP_MAGIC = b"\x1f\x8b\x08"
WARC_STARTS = (b"WARC/",)
ARC_STARTS = (b"filedesc:", b"http:", b"https:", b"dns:", b"ftp:")
"""How a record's first line starts: a WARC version, or an ARC URL line."""
SCAN_CHUNK = 1 << 16
MAX_MESSAGE = 200


def printable(text: str) -> str:
    """``text`` on one line, in printable ASCII, cut to a readable length: warcio puts
    the header bytes it could not parse into its messages."""
    text = text.split(", first line:")[0]  # warcio appends the unparsable line's bytes
    clean = "".join(c if c.isascii() and c.isprintable() else "?"
                    for c in " ".join(text.split()))
    return clean if len(clean) <= MAX_MESSAGE else clean[: MAX_MESSAGE - 3] + "..."


@dataclass(frozen=True)
class Damage:
    """A part of a file that could not be read, and where it is."""

    path: str
    offset: int | None
    message: str

    def __str__(self) -> str:
        where = f"offset {self.offset}: " if self.offset is not None else ""
        return f"{self.path}: {where}{printable(self.message)}"


def describe(error: BaseException) -> str:
    text = printable(str(error))
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class _Loader(ArcWarcRecordLoader):
    """warcio's loader, reading a record without ``WARC-Target-URI`` as one without HTTP
    headers: warcio 1.8.1 calls ``startswith`` on the missing URI and raises."""

    def load_http_headers(self, rec_type, uri, stream, length):
        return super().load_http_headers(rec_type, uri or "", stream, length)


class _Iterator(ArchiveIterator):
    """warcio's iterator, reading a record whose gzip member opens with line breaks.

    A member can begin with the closing CRLFs of the record before it (warcio's
    example-wrong-chunks.warc.gz at offset 1130): warcio skips line breaks only at
    the end of a member, so it reads them as an empty record and the real record as
    that record's block. Here they are skipped at a member's start as well, and the
    first line after them is handed on, as warcio does between records.
    """

    def _next_record(self, next_line):
        while next_line is None:
            line = self.reader.readline()
            if not line:
                break
            if line.strip():
                next_line = line
        return super()._next_record(next_line)


def _iterator(stream: IO[bytes], options: dict[str, Any]) -> ArchiveIterator:
    iterator = _Iterator(stream, **options)
    iterator.loader = _Loader(verify_http=options.get("verify_http", False),
                              arc2warc=options.get("arc2warc", False))
    return iterator


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Keep what warcio writes to standard error while parsing (a record not followed by
    a newline, with a repr of the bytes found) off the console: the verbs name damage in
    their own one-line form."""
    with contextlib.redirect_stderr(io.StringIO()):
        yield


def _quietly(records: Iterator[ArcWarcRecord]) -> Iterator[ArcWarcRecord]:
    while True:
        with _quiet():
            record = next(records, None)
        if record is None:
            return
        yield record


def _blank(stream: IO[bytes], start: int, size: int) -> bool:
    """Whether the file holds only line breaks from ``start`` on (an uncompressed WARC's
    records end with two; warcio counts them out of the record's length)."""
    stream.seek(start)
    return size - start <= SCAN_CHUNK and not stream.read().strip(b"\r\n")


def _next_start(stream: IO[bytes], after: int, compressed: bool, arc: bool) -> int | None:
    """The offset of the first record start past ``after``, or None: the file's end."""
    starts = ARC_STARTS if arc else WARC_STARTS
    marker = GZIP_MAGIC if compressed else b"\n" + starts[-1][:4]
    position = after + 1
    while True:
        stream.seek(position)
        window = stream.read(SCAN_CHUNK + len(marker))
        if len(window) < len(marker):
            return None
        found = window.find(marker)
        while found != -1:
            start = position + found + (0 if compressed else 1)
            stream.seek(start)
            head = stream.read(4096)
            if compressed:
                try:
                    head = zlib.decompressobj(wbits=31).decompress(head, 64)
                except zlib.error:
                    head = b""
            if head.lstrip(b"\r\n").startswith(starts):
                return start
            found = window.find(marker, found + 1)
        position += SCAN_CHUNK


def sniff(stream: IO[bytes]) -> tuple[bool, bool, bool]:
    """Whether a file is gzip-compressed, whether it starts like an archive at all, and
    whether it is an ARC file (whose records ``arc2warc`` dresses as WARC records).

    warcio reads any text whose first line has five words as an ARC record, so a file
    that starts with neither ``WARC/`` nor ARC's ``filedesc:`` is refused here. ARC
    lengths are loose, and warcio reads some valid ones short: ARC records get no
    torn-record check. A first gzip member that does not inflate is left to the
    resynchronising reader.
    """
    stream.seek(0)
    head = stream.read(4096)
    compressed = head.startswith(GZIP_MAGIC)
    if compressed:
        try:
            head = zlib.decompressobj(wbits=31).decompress(head, 64)
        except zlib.error:
            return True, True, False
    head = head.lstrip(b"\r\n")
    arc = head.startswith(b"filedesc:")
    return compressed, arc or head.startswith(b"WARC/"), arc


def read_records(
    stream: IO[bytes],
    name: str,
    on_damage: Callable[[Damage], None],
    keep: Callable[[ArcWarcRecord], bool] = lambda record: False,
    **options: Any,
) -> Iterator[tuple[ArchiveIterator, ArcWarcRecord]]:
    """Each whole, readable record of a file, already read to its end, with the
    iterator that read it (``get_record_offset()``/``get_record_length()``, absolute).

    A record is read before it is handed on, so that a failure inside it is caught
    here, where the file can be resynchronised; its block stays readable (from
    ``raw_stream``/``content_stream()``) only where ``keep(record)`` says so, to bound
    memory. ``options`` go to ``ArchiveIterator`` (``check_digests=True`` verifies
    digests on the way). ``on_damage`` hears of an empty file, a file that is no
    archive, a torn record and each stretch skipped.
    """
    stream.seek(0)
    if not stream.read(1):
        on_damage(Damage(name, None, "empty file"))
        return
    compressed, archive, arc = sniff(stream)
    if not archive:
        on_damage(Damage(name, None, "not a WARC or ARC file (it does not start with a "
                                     "WARC/ or ARC filedesc: line)"))
        return
    size = stream.seek(0, io.SEEK_END)
    # warcio's arc2warc mode reads any five-word line as an ARC header: in a WARC file it
    # would turn garbage into records, so it is on for ARC files only.
    options = {**options, "arc2warc": arc and options.get("arc2warc", False)}
    start: int | None = 0
    found = False
    while start is not None:
        stream.seek(start)
        iterator = _iterator(stream, options)
        end = start
        try:
            for record in _quietly(iterator):
                with _quiet():
                    kept = record.raw_stream.read() if keep(record) else None
                    iterator.read_to_end(record)
                found = True
                # warcio's offsets run backwards in a gzip member holding many records
                end = max(end, iterator.get_record_offset() + iterator.get_record_length())
                missing = getattr(record.raw_stream, "limit", 0)
                if missing > 0 and not arc:
                    on_damage(Damage(name, iterator.get_record_offset(),
                                     f"torn record: its block is {missing} bytes shorter "
                                     "than its Content-Length; skipped"))
                    continue
                if kept is not None:
                    record.raw_stream = io.BytesIO(kept)
                yield iterator, record
            if not _blank(stream, end, size):
                on_damage(Damage(name, end, f"torn record: {size - end} bytes after the last "
                                            "whole record; skipped"))
            return
        except Exception as error:  # whatever the parsers raise: name it, resynchronise
            failed_at = end
            resume = _next_start(stream, failed_at, compressed, arc)
            if not found and resume is None and failed_at == 0:
                on_damage(Damage(name, None, f"not a WARC or ARC file ({describe(error)})"))
                return
            skipped = "the rest of the file" if resume is None else f"up to offset {resume}"
            on_damage(Damage(name, failed_at,
                             f"unreadable record ({describe(error)}); skipped {skipped}"))
            start = resume


def record_at(stream: IO[bytes], offset: int, **options: Any) -> ArcWarcRecord:
    """The record starting at ``offset`` (one ``read_records`` found), parsed as it parsed
    it: what warcio logs on the way (spaces replaced in a target URI, ...) was heard the
    first time, so it is not printed again."""
    stream.seek(offset)
    with _quiet():
        return next(iter(_iterator(stream, options)))


class ReadableRecords:
    """``read_records`` in the shape of an ``ArchiveIterator``, for code written against
    one (cdxj-indexer): the offset and length of the record last handed out."""

    def __init__(self, records: Iterator[tuple[ArchiveIterator, ArcWarcRecord]]) -> None:
        self._records = records
        self._current: ArchiveIterator | None = None

    def __iter__(self) -> Iterator[ArcWarcRecord]:
        for iterator, record in self._records:
            self._current = iterator
            yield record

    def get_record_offset(self) -> int:
        assert self._current is not None
        return self._current.get_record_offset()

    def get_record_length(self) -> int:
        assert self._current is not None
        return self._current.get_record_length()

    def read_to_end(self, record: ArcWarcRecord | None = None) -> None:
        """Nothing left to read: each record is read before it is handed out."""
