"""Validation of WARC files: warcio's digest check plus the structure we promise.

warcio verifies block and payload digests; on top of that a file must start
with a ``warcinfo`` record, be WARC/1.1 throughout, link every record to its
warcinfo, pair request and response records both ways, and keep the HTTP
headers consistent with the stored body (no ``Transfer-Encoding`` over a
de-chunked body, a ``Content-Length`` equal to the body's length).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from archiver.capture.warcfile import OPEN_SUFFIX, WARC_VERSION

HTTP_TYPES = ("request", "response")


@dataclass(frozen=True)
class Problem:
    path: str
    offset: int | None
    record_id: str | None
    message: str

    def __str__(self) -> str:
        where = f"offset {self.offset}" if self.offset is not None else "file"
        record = f" {self.record_id}" if self.record_id else ""
        return f"{self.path}: {where}{record}: {self.message}"


def _drain(stream) -> int:
    total = 0
    while chunk := stream.read(1 << 20):
        total += len(chunk)
    return total


def check_warc(path: Path) -> Iterator[Problem]:
    """Yield every problem found in one WARC file (nothing for a valid file)."""
    name = str(path)
    if name.endswith(OPEN_SUFFIX):
        yield Problem(name, None, None, "file is still .open (crawl running or killed)")
    ids: set[str] = set()
    concurrent: list[tuple[int, str, str]] = []
    warcinfo_ids: set[str] = set()
    warcinfo_refs: list[tuple[int, str, str]] = []
    try:
        with open(path, "rb") as stream:
            records = ArchiveIterator(stream, check_digests=True)
            for index, record in enumerate(records):
                length = _drain(record.raw_stream)
                offset = records.get_record_offset()
                headers = record.rec_headers
                record_id = headers.get_header("WARC-Record-ID")
                kind = record.rec_type
                ids.add(record_id)
                if record.digest_checker.passed is False:
                    for problem in record.digest_checker.problems:
                        yield Problem(name, offset, record_id, problem)
                if headers.protocol != f"WARC/{WARC_VERSION}":
                    yield Problem(name, offset, record_id, f"version {headers.protocol}")
                if index == 0 and kind != "warcinfo":
                    yield Problem(name, offset, record_id, "first record is not warcinfo")
                if kind == "warcinfo":
                    warcinfo_ids.add(record_id)
                elif ref := headers.get_header("WARC-Warcinfo-ID"):
                    warcinfo_refs.append((offset, record_id, ref))
                if kind in HTTP_TYPES:
                    concurrent += [
                        (offset, record_id, value)
                        for name_, value in headers.headers
                        if name_.lower() == "warc-concurrent-to"
                    ]
                    yield from _http_problems(name, offset, record_id, record, length)
    except ArchiveLoadFailed as error:
        yield Problem(name, None, None, f"unreadable: {error}".rstrip())
        return
    for offset, record_id, target in concurrent:
        if target not in ids:
            yield Problem(name, offset, record_id, f"WARC-Concurrent-To {target} not in file")
    for offset, record_id, target in warcinfo_refs:
        if target not in warcinfo_ids:
            yield Problem(name, offset, record_id, f"WARC-Warcinfo-ID {target} not in file")


def _http_problems(name: str, offset: int, record_id: str, record, length: int):
    http = record.http_headers
    if http is None:
        yield Problem(name, offset, record_id, "HTTP record without HTTP headers")
        return
    if record.rec_type == "response" and http.get_header("Transfer-Encoding"):
        yield Problem(name, offset, record_id, "Transfer-Encoding header over stored body")
    declared = http.get_header("Content-Length")
    if record.rec_type == "response" and declared is not None and declared.strip() != str(length):
        yield Problem(
            name, offset, record_id, f"Content-Length {declared} but body has {length} bytes"
        )
