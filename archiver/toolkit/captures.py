"""HTTP captures read back from any WARC: ours, wget's, Heritrix's, Browsertrix's.

Re-analysis needs, for every HTTP response in an archive, the body a browser
would have seen and the exact record it came from. ``scan_warc`` lists the
response and revisit records of one file (location, digest, the crawl named by
its warcinfo) without keeping bodies; ``resolve_revisits`` points each revisit
at the record holding its payload; ``read_capture`` re-opens one record by
offset and returns its status, headers and decoded body. warcio de-chunks;
the content codings are decoded here, with the decoders Scrapy itself uses
(zlib, brotli, zstd), because warcio 1.8.1 fails on ``br`` with brotli 1.2 (an
``unused_data`` AttributeError) and has no ``zstd`` at all, and both are common
in Browsertrix's and other browsers' captures. The rest is the bookkeeping no
library does: revisit resolution across files, and the capture link each item
must carry.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import brotli
from warcio.bufferedreaders import ChunkedDataReader
from warcio.recordloader import ArcWarcRecord

from archiver.toolkit.readable import Damage, read_records, record_at

try:  # Python 3.14's standard library; Scrapy installs the backport before that
    from compression import zstd  # type: ignore[import-not-found]
except ImportError:
    from backports import zstd

from archiver.capture.bounded import DEFAULT_DECODED_MAXSIZE, BodyTooLarge

HTTP_RECORD_TYPES = ("response", "revisit")
NOT_MODIFIED_PROFILE = "server-not-modified"


@dataclass(frozen=True)
class CaptureEntry:
    """One response or revisit record: where it is and what it says about itself."""

    path: str
    offset: int
    length: int
    record_id: str
    rec_type: str
    url: str
    date: str
    payload_digest: str | None
    crawl_id: str | None
    profile: str | None = None
    refers_to: str | None = None
    refers_to_url: str | None = None
    refers_to_date: str | None = None
    original: CaptureEntry | None = None
    """For a revisit, the record its payload is read from (set by resolve_revisits)."""
    content_type: str | None = None
    """The response's ``Content-Type``, as sent (how stylesheets are found among the
    captures, :mod:`archiver.toolkit.stylesheets`); ``None`` for a revisit."""


@dataclass
class ArchivedResponse:
    """An HTTP response as the analysers see it, decoded, with the entry it was read from."""

    entry: CaptureEntry
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


class UndecodableBody(ValueError):
    """A body that its ``Content-Encoding`` does not decode (corrupt, or mislabelled)."""


def _inflate(data: bytes, limit: int) -> bytes:
    try:
        return zlib.decompressobj().decompress(data, limit)
    except zlib.error:  # raw deflate without the zlib header, as some servers send it
        return zlib.decompressobj(-zlib.MAX_WBITS).decompress(data, limit)


def _gunzip(data: bytes, limit: int) -> bytes:
    return zlib.decompressobj(wbits=zlib.MAX_WBITS | 32).decompress(data, limit)


# Streaming decompressors, so a truncated record (WARC-Truncated) still yields the
# part that arrived, as a browser would show it; each stops after about ``limit``
# bytes of output, so an archived decompression bomb is never inflated past it.
DECODERS: dict[str, Callable[[bytes, int], bytes]] = {
    "gzip": _gunzip,
    "x-gzip": _gunzip,
    "deflate": _inflate,
    "br": lambda data, limit: brotli.Decompressor().process(data, output_buffer_limit=limit),
    "zstd": lambda data, limit: zstd.ZstdDecompressor().decompress(data, max_length=limit),
}
DECODE_ERRORS = (zlib.error, brotli.error, zstd.ZstdError)


def decoded_body(record: ArcWarcRecord, limit: int = DEFAULT_DECODED_MAXSIZE) -> bytes:
    """The entity body of an HTTP record: de-chunked when stored chunked, then each
    ``Content-Encoding`` undone, last applied first; an unknown coding is left as is
    (with the ones applied before it), as HTTP clients do. :class:`BodyTooLarge` past
    ``limit`` decoded bytes."""
    http = record.http_headers
    if http is None:
        return record.raw_stream.read()
    chunked = (http.get_header("Transfer-Encoding") or "").strip().lower() == "chunked"
    body = (ChunkedDataReader(record.raw_stream) if chunked else record.raw_stream).read()
    values = [value for name, value in http.headers if name.lower() == "content-encoding"]
    codings = [c.strip().lower() for value in values for c in value.split(",")
               if c.strip() and c.strip().lower() != "identity"]
    for coding in reversed(codings):
        decoder = DECODERS.get(coding)
        if decoder is None:
            break
        try:
            body = decoder(body, limit + 1)
        except DECODE_ERRORS as error:
            raise UndecodableBody(f"Content-Encoding {coding} does not decode ({error})") \
                from None
        if len(body) > limit:
            raise BodyTooLarge(f"Content-Encoding {coding} decodes to more than {limit} bytes; "
                               "left undecoded")
    return body


def _target(record: ArcWarcRecord) -> str:
    # Some writers wrap the URI in angle brackets (the WARC 1.0 grammar's example did).
    return (record.rec_headers.get_header("WARC-Target-URI") or "").strip().strip("<>")


def _warcinfo_fields(record: ArcWarcRecord) -> dict[str, str]:
    text = record.content_stream().read().decode("utf-8", "replace")
    fields = {}
    for line in text.splitlines():
        name, sep, value = line.partition(":")
        if sep:
            fields[name.strip()] = value.strip()
    return fields


def scan_warc(path: Path) -> tuple[list[CaptureEntry], list[Damage]]:
    """The HTTP response and revisit records of one WARC, in file order, and what could
    not be read (named, skipped; the rest is still read).

    The crawl id is the ``isPartOf`` of the warcinfo record the record names
    (``WARC-Warcinfo-ID``), else of the last warcinfo record before it.
    """
    entries: list[CaptureEntry] = []
    damage: list[Damage] = []
    crawl_ids: dict[str, str | None] = {}
    current: str | None = None
    with open(path, "rb") as stream:
        for iterator, record in read_records(stream, str(path), damage.append,
                                             keep=lambda r: r.rec_type == "warcinfo",
                                             arc2warc=True):
            headers = record.rec_headers
            if record.rec_type == "warcinfo":
                current = _warcinfo_fields(record).get("isPartOf")
                crawl_ids[headers.get_header("WARC-Record-ID") or ""] = current
                continue
            if record.rec_type not in HTTP_RECORD_TYPES:
                continue
            if record.rec_type == "response" and record.http_headers is None:
                continue
            url = _target(record)
            if not url.startswith(("http://", "https://")):
                continue
            warcinfo_id = headers.get_header("WARC-Warcinfo-ID")
            entries.append(
                CaptureEntry(
                    path=str(path),
                    offset=iterator.get_record_offset(),
                    length=iterator.get_record_length(),
                    record_id=headers.get_header("WARC-Record-ID") or "",
                    rec_type=record.rec_type,
                    url=url,
                    date=headers.get_header("WARC-Date") or "",
                    payload_digest=headers.get_header("WARC-Payload-Digest"),
                    crawl_id=crawl_ids.get(warcinfo_id, current) if warcinfo_id else current,
                    profile=(headers.get_header("WARC-Profile") or "").rsplit("/", 1)[-1]
                    or None,
                    refers_to=headers.get_header("WARC-Refers-To"),
                    refers_to_url=headers.get_header("WARC-Refers-To-Target-URI"),
                    refers_to_date=headers.get_header("WARC-Refers-To-Date"),
                    content_type=record.http_headers.get_header("Content-Type")
                    if record.http_headers is not None else None,
                )
            )
    return entries, damage


def resolve_revisits(entries: Iterable[CaptureEntry],
                     ) -> tuple[list[CaptureEntry], list[Damage]]:
    """Entries with each revisit's ``original`` set, and a problem per unresolved revisit.

    A revisit names its original by record id (``WARC-Refers-To``), else by
    URL and date (``WARC-Refers-To-Target-URI``/``-Date``); failing both, the
    latest earlier response with the same payload digest is used (how
    URL-agnostic deduplication in Heritrix and Browsertrix is read by pywb).
    """
    entries = list(entries)
    responses = [e for e in entries if e.rec_type == "response"]
    by_id = {e.record_id: e for e in responses}
    by_url_date = {(e.url, e.date): e for e in responses}
    by_digest: dict[str, list[CaptureEntry]] = {}
    for entry in sorted(responses, key=lambda e: e.date):
        if entry.payload_digest:
            by_digest.setdefault(entry.payload_digest, []).append(entry)
    resolved: list[CaptureEntry] = []
    problems: list[Damage] = []
    for entry in entries:
        if entry.rec_type != "revisit":
            resolved.append(entry)
            continue
        original = by_id.get(entry.refers_to or "") or by_url_date.get(
            (entry.refers_to_url or entry.url, entry.refers_to_date or "")
        )
        if original is None and entry.payload_digest:
            earlier = [e for e in by_digest.get(entry.payload_digest, []) if e.date <= entry.date]
            original = earlier[-1] if earlier else None
        if original is None:
            problems.append(Damage(
                entry.path, entry.offset,
                f"revisit of {entry.url} refers to a record that is not in the given WARCs "
                f"({entry.refers_to or entry.payload_digest}); "
                "pass the WARC holding the original capture too"
            ))
            continue
        resolved.append(replace(entry, original=original))
    return resolved, problems


def _open_record(path: str, offset: int, reader):
    with open(path, "rb") as stream:
        return reader(record_at(stream, offset, arc2warc=True))


def _http_head(record: ArcWarcRecord) -> tuple[int, list[tuple[str, str]]]:
    http = record.http_headers
    if http is None:
        return 0, []
    return int(http.get_statuscode() or 0), list(http.headers)


def read_capture(entry: CaptureEntry) -> ArchivedResponse:
    """The decoded response of a response record, or of a revisit with its original's payload.

    An identical-payload-digest revisit keeps its own status and headers (they
    were sent at that time); a server-not-modified revisit (a 304) shows the
    original response, as replay tools do.
    """
    if entry.original is None:
        status, headers, payload = _open_record(
            entry.path, entry.offset, lambda r: (*_http_head(r), decoded_body(r))
        )
        return ArchivedResponse(entry, status, headers, payload)
    status, headers, payload = _open_record(
        entry.original.path, entry.original.offset, lambda r: (*_http_head(r), decoded_body(r))
    )
    if entry.profile != NOT_MODIFIED_PROFILE:
        own_status, own_headers = _open_record(entry.path, entry.offset, _http_head)
        if own_status:
            status, headers = own_status, own_headers
    return ArchivedResponse(entry, status, headers, payload)
