"""Validation of WARC files: what breaks replay or integrity, and what we would not write.

Errors make a record unusable or untrustworthy: a block or payload digest that
does not match (warcio's check), a torn record, a stretch that does not parse,
an empty file, a file that is not a WARC, an HTTP record whose block holds
something other than an HTTP message, and ``Transfer-Encoding: chunked`` over a
body that is not chunked (pywb cannot replay it). Warnings are what WARC 1.0/1.1
(or warcio's lenient ARC reading) allow but this crawler never writes, so a third
party's valid archive passes with notes: WARC/1.0 records and ARC files, ARC
lengths that are not a number (warcio reads the record as empty, and a record
whose bytes are then misread is an error of its own), HTTP records with an empty
block (nothing stored, nothing lost), ``dns:`` records, bodies stored chunked with
their ``Transfer-Encoding`` (the spec asks for the response as received), a first
record that is not ``warcinfo``, references to records in other files, and an
HTTP ``Content-Length`` that differs from the stored body. A warning is printed once
per file and kind, with the first offset and the count, so a Heritrix file of
10,000 WARC/1.0 records gets one line, not 10,000.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Literal

from warcio.bufferedreaders import ChunkedDataReader
from warcio.recordloader import ArcWarcRecord

from archiver.capture.records import NO_BODY_STATUSES
from archiver.capture.warcfile import OPEN_SUFFIX, WARC_VERSION
from archiver.toolkit.readable import Damage, printable, read_records, sniff

HTTP_TYPES = ("request", "response")
TARGETED_TYPES = ("request", "response", "resource", "revisit")
"""Types whose WARC-Target-URI WARC 1.1 (5.3) makes mandatory (continuation and
conversion too, which nobody writes)."""
Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    path: str
    offset: int | None
    record_id: str | None
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = f"offset {self.offset}" if self.offset is not None else "file"
        record = f" {self.record_id}" if self.record_id else ""
        return f"{self.path}: {where}{record}: {self.severity}: {printable(self.message)}"


def _damage(damage: Damage) -> Problem:
    return Problem(damage.path, damage.offset, None, damage.message)


def _http_target(record: ArcWarcRecord) -> bool:
    target = (record.rec_headers.get_header("WARC-Target-URI") or "").strip("<>")
    return target.startswith(("http://", "https://"))


def _chunked_header(record: ArcWarcRecord) -> bool:
    http = record.http_headers
    return (record.rec_type == "response" and http is not None
            and (http.get_header("Transfer-Encoding") or "").strip().lower() == "chunked")


def _is_chunked(body: bytes) -> bool:
    """Whether a stored body parses as HTTP/1.1 chunked coding."""
    reader = ChunkedDataReader(BytesIO(body), raise_exceptions=True)
    try:
        while reader.read(1 << 16):
            pass
    except Exception:  # warcio raises ChunkedDataException or ValueError on bad framing
        return False
    return bool(body)


class _Notes:
    """Warnings of one file, one per kind: first offset and how many records."""

    def __init__(self) -> None:
        self.first: dict[str, int] = {}
        self.count: dict[str, int] = {}

    def add(self, message: str, offset: int) -> None:
        self.first.setdefault(message, offset)
        self.count[message] = self.count.get(message, 0) + 1

    def problems(self, name: str) -> Iterator[Problem]:
        for message, offset in self.first.items():
            count = self.count[message]
            suffix = f" ({count} records, first here)" if count > 1 else ""
            yield Problem(name, offset, None, message + suffix, "warning")


def _record_problems(name: str, offset: int, record: ArcWarcRecord, notes: _Notes,
                     arc: bool) -> Iterator[Problem]:
    headers = record.rec_headers
    record_id = headers.get_header("WARC-Record-ID")
    target = (headers.get_header("WARC-Target-URI") or "").strip("<>")
    if not target and record.rec_type in TARGETED_TYPES:
        # warcio does not parse the HTTP headers of such a record, so its payload digest
        # would fail too: one error says it
        yield Problem(name, offset, record_id,
                      f"{record.rec_type} record without WARC-Target-URI (replay cannot find it)")
        return
    if record.digest_checker.passed is False:
        for problem in record.digest_checker.problems:
            yield Problem(name, offset, record_id, problem)
    if arc:
        notes.add("ARC record (we write WARC/1.1)", offset)
        if not (headers.get_header("Content-Length") or "").isdigit():
            notes.add("ARC record with an invalid length (read as empty)", offset)
    elif headers.protocol != f"WARC/{WARC_VERSION}":
        version = headers.protocol or "no version line"
        notes.add(f"{version} record (we write WARC/{WARC_VERSION})", offset)
    if target.startswith("dns:"):
        notes.add("dns: record (we archive HTTP only)", offset)
    if record.rec_type not in HTTP_TYPES or not _http_target(record):
        return
    http = record.http_headers
    if http is None or not http.statusline:
        headers_length = http.total_len if http is not None else 0
        if record.length is not None and record.length <= headers_length:
            # nothing was stored, so nothing is lost or misread: pywb replays it as an
            # empty 200 (warcio's bad.arc: lengths -1, 1 and 'abc')
            notes.add(f"{record.rec_type} record with an empty block (no HTTP message)",
                      offset)
        else:
            yield Problem(name, offset, record_id,
                          f"{record.rec_type} record without HTTP headers")
        return
    if _chunked_header(record):
        body = record.raw_stream.read()
        if _is_chunked(body):
            notes.add("body stored chunked, with its Transfer-Encoding (we store it de-chunked)",
                      offset)
        else:
            yield Problem(name, offset, record_id, "Transfer-Encoding: chunked over a body "
                          "that is not chunked (pywb cannot replay it)")
        return
    declared = (http.get_header("Content-Length") or "").strip()
    body_length = record.length - http.total_len if record.length is not None else None
    if (record.rec_type == "response" and declared.isdigit() and body_length
            and int(declared) != body_length
            and not headers.get_header("WARC-Truncated")
            and http.get_statuscode() not in {str(status) for status in NO_BODY_STATUSES}):
        notes.add("HTTP Content-Length differs from the stored body", offset)


def check_warc(path: Path) -> Iterator[Problem]:
    """Yield every problem found in one WARC or ARC file (nothing for one we would write)."""
    name = str(path)
    if name.endswith(OPEN_SUFFIX):
        yield Problem(name, None, None, "file is still .open (crawl running or killed)")
    damage: list[Damage] = []
    notes = _Notes()
    ids: set[str] = set()
    warcinfo_ids: set[str] = set()
    references: list[tuple[int, str, str]] = []
    records = 0
    with open(path, "rb") as stream:
        arc = sniff(stream)[2]
        for iterator, record in read_records(stream, name, damage.append,
                                             keep=_chunked_header, check_digests=True,
                                             arc2warc=True):
            yield from map(_damage, damage)
            damage.clear()
            offset = iterator.get_record_offset()
            headers = record.rec_headers
            if offset == 0 and record.rec_type != "warcinfo" and not arc:
                notes.add("first record is not warcinfo", offset)
            records += 1
            record_id = headers.get_header("WARC-Record-ID") or ""
            ids.add(record_id)
            if record.rec_type == "warcinfo":
                warcinfo_ids.add(record_id)
            elif ref := headers.get_header("WARC-Warcinfo-ID"):
                references.append((offset, "WARC-Warcinfo-ID", ref))
            references += [(offset, "WARC-Concurrent-To", value)
                           for field, value in headers.headers
                           if field.lower() == "warc-concurrent-to"]
            yield from _record_problems(name, offset, record, notes, arc)
    yield from map(_damage, damage)
    if records == 0 and not damage:
        yield Problem(name, None, None, "no records")
    for offset, field, target in references:
        known = warcinfo_ids if field == "WARC-Warcinfo-ID" else ids
        if target not in known:
            notes.add(f"{field} names a record that is not in this file", offset)
    yield from notes.problems(name)
