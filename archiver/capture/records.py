"""WARC records for one Scrapy exchange, rebuilt as faithfully as Scrapy allows.

Scrapy hands us parsed objects, not socket bytes, so the HTTP blocks are rebuilt:
header values are kept as the bytes received (latin-1 round-trips every byte),
repeated headers stay repeated, the reason phrase comes from the status code,
and headers that no longer describe the stored body are made consistent with it:
Twisted has already removed ``Transfer-Encoding`` and de-chunked the body, so the
stored ``Content-Length`` is the stored body's length (the server's own value,
when it differed, is kept as ``X-Archive-Orig-Content-Length``, pywb's prefix). A
204 or 304 has no body to describe, so its headers stay exactly as sent.
"""

from __future__ import annotations

import http
import re
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from io import BytesIO
from ipaddress import IPv4Address, IPv6Address
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from scrapy.http import Headers, Request, Response
from warcio.archiveiterator import ArchiveIterator
from warcio.recordbuilder import RecordBuilder
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParser
from warcio.timeutils import datetime_to_iso_date

from archiver.capture.limits import TIMED_OUT_FLAG
from archiver.capture.link import PROFILE_IDENTICAL, Original
from archiver.capture.warcfile import NO_COMPUTED_PAYLOAD_DIGEST, WARC_VERSION

CREDENTIAL_HEADERS = frozenset({"cookie", "authorization", "proxy-authorization"})
HOP_BY_HOP_HEADERS = frozenset({"transfer-encoding", "content-length"})
NO_BODY_STATUSES = frozenset({204, 304})
"""Responses that never have a body (RFC 9110 6.4.1): their framing headers describe
no stored body, so they are kept as the server sent them (a 304's ``Content-Length``,
where present, is the length of the 200 it stands for)."""
_UNSAFE_IN_HEADER = re.compile(r"[\x00-\x20\x7f]")
"""What a target URI must not carry raw (:func:`target_uri`): controls and spaces."""
DEFAULT_PORTS = {"http": 80, "https": 443}


class Builder(RecordBuilder):
    """warcio's record builder, with no payload digest where WARC 1.1 defines no payload."""

    NO_PAYLOAD_DIGEST_TYPES = NO_COMPUTED_PAYLOAD_DIGEST


builder = Builder(warc_version=WARC_VERSION)


class RawStatusAndHeaders(StatusAndHeaders):
    """HTTP headers serialised byte for byte.

    warcio percent-encodes non-ASCII header values, which would alter what the
    server sent; values here are latin-1 decoded bytes, so latin-1 encoding
    restores the exact bytes.
    """

    def compute_headers_buffer(self, header_filter=None) -> None:
        self.headers_buff = self.to_str(header_filter).encode("latin-1") + b"\r\n"


def _text(value: bytes | str) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def header_pairs(headers: Headers) -> list[tuple[str, str]]:
    """Every (name, value) of Scrapy ``Headers``, repeated values kept in order."""
    return [
        (_text(name), _text(value)) for name in headers for value in headers.getlist(name)
    ]


def host_header(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if parts.port and parts.port != DEFAULT_PORTS.get(parts.scheme):
        host = f"{host}:{parts.port}"
    return host


def request_target(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def request_http_headers(request: Request, keep_credentials: bool) -> RawStatusAndHeaders:
    """The request as Twisted sent it: real request line, ``Host`` first."""
    pairs = [("Host", host_header(request.url))]
    pairs += [
        (name, value)
        for name, value in header_pairs(request.headers)
        if name.lower() not in {"host", "content-length"}
        and (keep_credentials or name.lower() not in CREDENTIAL_HEADERS)
    ]
    if request.body or request.method in {"POST", "PUT", "PATCH"}:
        pairs.append(("Content-Length", str(len(request.body))))
    request_line = f"{request.method} {request_target(request.url)} HTTP/1.1"
    return RawStatusAndHeaders(request_line, pairs, is_http_request=True)


def response_http_headers(response: Response) -> RawStatusAndHeaders:
    pairs = header_pairs(response.headers)
    if response.status not in NO_BODY_STATUSES:
        original_lengths = [v for n, v in pairs if n.lower() == "content-length"]
        pairs = [(n, v) for n, v in pairs if n.lower() not in HOP_BY_HOP_HEADERS]
        body_length = str(len(response.body))
        pairs += [
            ("X-Archive-Orig-Content-Length", value)
            for value in original_lengths
            if value.strip() != body_length
        ]
        pairs.append(("Content-Length", body_length))
    try:
        reason = http.HTTPStatus(response.status).phrase
    except ValueError:
        reason = ""
    statusline = f"{response.status} {reason}".rstrip()
    protocol = "HTTP/1.0" if response.protocol == "HTTP/1.0" else "HTTP/1.1"
    return RawStatusAndHeaders(statusline, pairs, protocol=protocol)


def warc_protocols(response: Response) -> list[str]:
    """``WARC-Protocol`` values (WARC 1.1 extension): what was really spoken."""
    protocol = (response.protocol or "").lower()
    return [protocol] if protocol else []


def truncation_reason(response: Response) -> str | None:
    """``WARC-Truncated`` value for the flags Scrapy sets on incomplete bodies."""
    flags = set(response.flags)
    if flags & {"partial", "dataloss"}:
        return "disconnect"
    if TIMED_OUT_FLAG in flags:
        return "time"
    if "download_stopped" in flags:
        return "length"
    return None


def target_uri(url: str) -> str:
    """``url`` with every control character and space percent-encoded, so that it can
    not end the WARC header line early: Scrapy's ``Response.url`` is whatever it was
    given (a raw CR or LF in it made the rest of the header block read as the HTTP
    head; found by tests/reliability/test_fuzz.py). A no-op on URLs of requests
    Scrapy made, which are already escaped."""
    return _UNSAFE_IN_HEADER.sub(lambda match: f"%{ord(match.group()):02X}", url)


def response_record(
    response: Response, record_id: str, concurrent_to: str, date: str,
    digest: str | None = None,
) -> ArcWarcRecord:
    """The ``response`` record of ``response``; ``digest``, its payload's
    :func:`~archiver.capture.link.payload_digest` when the caller has it, spares
    warcio hashing the body again for ``WARC-Payload-Digest`` (the same header, in
    the place warcio gives it)."""
    headers: dict[str, str] = {
        "WARC-Record-ID": record_id,
        "WARC-Date": date,
        "WARC-Concurrent-To": concurrent_to,
    }
    if response.ip_address is not None:
        headers["WARC-IP-Address"] = str(response.ip_address)
    truncated = truncation_reason(response)
    if truncated:
        headers["WARC-Truncated"] = truncated
    uri = target_uri(response.url)
    warc_headers = None
    if digest is not None:
        # As warcio's builder orders them: the given headers, the type, the target,
        # then the payload digest it would have computed.
        warc_headers = StatusAndHeaders("", [
            *headers.items(), ("WARC-Type", "response"), ("WARC-Target-URI", uri),
            ("WARC-Payload-Digest", digest),
        ], protocol=builder.warc_version)
    record = builder.create_warc_record(
        uri,
        "response",
        payload=BytesIO(response.body),
        length=len(response.body),
        http_headers=response_http_headers(response),
        warc_headers_dict=headers,
        warc_headers=warc_headers,
    )
    for protocol in warc_protocols(response):
        record.rec_headers.add_header("WARC-Protocol", protocol)
    return record


def revisit_record(
    response: Response,
    record_id: str,
    concurrent_to: str,
    date: str,
    original: Original,
    profile: str,
) -> ArcWarcRecord:
    """A ``revisit`` record: this exchange's HTTP headers, the payload by reference.

    The block holds only the HTTP headers that came with this response (a 304's
    own headers, or the duplicate's); ``WARC-Payload-Digest`` is the referred
    payload's digest, so digest indexes resolve the revisit to it.
    """
    headers = {
        "WARC-Record-ID": record_id,
        "WARC-Date": date,
        "WARC-Concurrent-To": concurrent_to,
        "WARC-Refers-To": original.record_id,
    }
    if response.ip_address is not None:
        headers["WARC-IP-Address"] = str(response.ip_address)
    record = builder.create_revisit_record(
        target_uri(response.url),
        original.payload_digest,
        target_uri(original.url),
        original.date,
        http_headers=response_http_headers(response),
        warc_headers_dict=headers,
    )
    record.rec_headers.replace_header("WARC-Profile", profile)
    if profile == PROFILE_IDENTICAL:
        # WARC 1.1 (6.7.2): the left-off duplicate payload "shall" be noted this way.
        record.rec_headers.add_header("WARC-Truncated", "length")
    for protocol in warc_protocols(response):
        record.rec_headers.add_header("WARC-Protocol", protocol)
    return record


def http_record(stream: BinaryIO, where: str) -> tuple[StatusAndHeaders, bytes]:
    """The HTTP headers and the payload as stored (still encoded) of the record ``stream``
    starts with (``where`` names it in errors)."""
    record = next(iter(ArchiveIterator(stream)))
    if record.http_headers is None:
        raise ValueError(f"{where}: {record.rec_type} record has no HTTP headers")
    return record.http_headers, record.raw_stream.read()


def read_http_record(path: Path, offset: int) -> tuple[StatusAndHeaders, bytes]:
    """:func:`http_record` of the record at ``offset`` in a local WARC file."""
    with open(path, "rb") as stream:
        stream.seek(offset)
        return http_record(stream, f"{path}@{offset}")


def request_record(
    request: Request,
    url: str,
    record_id: str,
    concurrent_to: str,
    date: str,
    keep_credentials: bool,
    ip_address: IPv4Address | IPv6Address | None = None,
) -> ArcWarcRecord:
    """A ``request`` record; ``ip_address`` is the peer of the connection the response
    came back on (Scrapy's ``Response.ip_address``), so the address the request was sent
    to (WARC 1.1 6.5.2), and is left out where Scrapy does not know it."""
    headers = {
        "WARC-Record-ID": record_id,
        "WARC-Date": date,
        "WARC-Concurrent-To": concurrent_to,
    }
    if ip_address is not None:
        headers["WARC-IP-Address"] = str(ip_address)
    return builder.create_warc_record(
        target_uri(url),
        "request",
        payload=BytesIO(request.body),
        length=len(request.body),
        http_headers=request_http_headers(request, keep_credentials),
        warc_headers_dict=headers,
    )


def metadata_record(
    url: str,
    date: str,
    payload: bytes,
    content_type: str,
    refers_to: str | None = None,
) -> ArcWarcRecord:
    """A ``metadata`` record, about another record when ``refers_to`` is given."""
    headers = {"WARC-Date": date}
    if refers_to:
        headers["WARC-Refers-To"] = refers_to
        headers["WARC-Concurrent-To"] = refers_to
    return builder.create_warc_record(
        url,
        "metadata",
        payload=BytesIO(payload),
        length=len(payload),
        warc_content_type=content_type,
        warc_headers_dict=headers,
    )


def derived_record(
    target_uri: str,
    rec_type: str,
    payload: bytes,
    content_type: str,
    date: str,
    refers_to: str,
    headers: dict[str, str] | None = None,
) -> ArcWarcRecord:
    """A ``conversion`` or ``resource`` record made from a response (WARC 1.1 6.4, 6.8).

    A rendered DOM (``conversion``) or a screenshot (``resource``) is something we
    made from the archived response, not something a server sent: it gets a URN
    as its target (replay tools index these record types by target URI, and the
    article's own URL would shadow the raw response in replay, as Browsertrix
    avoids with ``urn:screenshot:``). Each names the response the way its type is
    allowed to: a conversion by ``WARC-Refers-To`` (6.8: "should"), a resource by
    ``WARC-Concurrent-To`` (5.6: the same capture event), since 5.11 and 5.12 forbid
    ``WARC-Refers-To`` on resources and ``WARC-Refers-To-Target-URI`` on both.
    """
    link = "WARC-Refers-To" if rec_type == "conversion" else "WARC-Concurrent-To"
    return builder.create_warc_record(
        target_uri,
        rec_type,
        payload=BytesIO(payload),
        length=len(payload),
        warc_content_type=content_type,
        warc_headers_dict={"WARC-Date": date, link: refers_to, **(headers or {})},
    )


def warc_fields(fields: Iterable[tuple[str, str]]) -> bytes:
    """``application/warc-fields`` body: one ``name: value`` line per field."""
    return "".join(f"{name}: {value}\r\n" for name, value in fields).encode("utf-8")


def new_record_id() -> str:
    return StatusAndHeadersParser.make_warc_id()


def warc_date(at: float | None = None) -> str:
    """A ``WARC-Date`` to the microsecond (WARC 1.1 5.4): the POSIX time ``at``, the
    instant data capture began, where it is known; else now."""
    when = datetime.fromtimestamp(time.time() if at is None else at, UTC)
    return datetime_to_iso_date(when.replace(tzinfo=None), use_micros=True)
