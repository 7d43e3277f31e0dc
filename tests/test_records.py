"""Records built from Scrapy objects: truncation flags, protocols, credentials."""

from __future__ import annotations

from io import BytesIO
from ipaddress import ip_address

from scrapy.http import Request, Response
from warcio.warcwriter import WARCWriter

from archiver.capture import records
from archiver.capture.link import payload_digest


def build(response: Response):
    return records.response_record(response, "<urn:uuid:r>", "<urn:uuid:q>", "2026-11-25T00:00:00Z")


def truncated(flags: list[str]) -> str | None:
    response = Response("http://h/a", body=b"<html>half", flags=flags)
    return build(response).rec_headers.get_header("WARC-Truncated")


def test_partial_and_stopped_bodies_are_marked_truncated():
    assert truncated(["partial"]) == "disconnect"
    assert truncated(["dataloss"]) == "disconnect"
    assert truncated(["download_stopped"]) == "length"
    assert truncated([]) is None


def test_h2_is_written_as_http11_with_warc_protocol_and_original_length_kept():
    response = Response("https://h/a", body=b"12345", protocol="h2",
                        ip_address=ip_address("127.0.0.1"),
                        headers={"Content-Length": "99", "Transfer-Encoding": "chunked"})
    record = build(response)
    assert record.http_headers.protocol == "HTTP/1.1"
    assert record.rec_headers.get_header("WARC-Protocol") == "h2"
    assert record.rec_headers.get_header("WARC-IP-Address") == "127.0.0.1"
    assert record.http_headers.get_header("Content-Length") == "5"
    assert record.http_headers.get_header("X-Archive-Orig-Content-Length") == "99"
    assert record.http_headers.get_header("Transfer-Encoding") is None


def test_unknown_status_codes_have_no_invented_reason():
    assert build(Response("http://h/", status=599)).http_headers.statusline == "599"


def test_credentials_only_with_opt_in():
    request = Request("http://h:8080/p?q=1", method="POST", body=b"a=1",
                      headers={"Cookie": "s=1", "Authorization": "Basic eA==",
                               "Proxy-Authorization": "Basic eQ==", "X-Ok": "1"})
    hidden = records.request_http_headers(request, keep_credentials=False)
    assert hidden.to_str().splitlines()[0] == "POST /p?q=1 HTTP/1.1"
    assert [n for n, _ in hidden.headers] == ["Host", "X-Ok", "Content-Length"]
    assert hidden.get_header("Host") == "h:8080"
    kept = records.request_http_headers(request, keep_credentials=True)
    assert kept.get_header("Cookie") == "s=1"
    assert kept.get_header("Authorization") == "Basic eA=="


def test_request_records_name_the_address_only_where_scrapy_knows_it():
    """WARC 1.1 6.5.2: the address "to which the request material was directed"; the
    response's peer is that address, and without a response there is none to write."""
    request = Request("http://[::1]:8080/a")
    for address, expected in ((ip_address("::1"), "::1"), (None, None)):
        record = records.request_record(request, request.url, "<urn:uuid:q>", "<urn:uuid:r>",
                                        "2026-11-25T00:00:00Z", False, address)
        assert record.rec_headers.get_header("WARC-IP-Address") == expected


def test_a_304_keeps_its_own_framing_headers():
    """A 304 has no body (RFC 9110 6.4.1): no ``Content-Length: 0`` is invented for it, and
    the server's own (the length of the 200 it stands for) stays as sent."""
    bare = records.response_http_headers(Response("http://h/a", status=304,
                                                  headers={"ETag": '"v1"'}))
    assert bare.headers == [("Etag", '"v1"')]
    sized = records.response_http_headers(Response("http://h/a", status=304,
                                                   headers={"Content-Length": "5120"}))
    assert sized.headers == [("Content-Length", "5120")]
    ok = records.response_http_headers(Response("http://h/a", body=b"12345",
                                                headers={"Content-Length": "5120"}))
    assert ok.headers == [("X-Archive-Orig-Content-Length", "5120"), ("Content-Length", "5")]


def test_a_url_with_line_breaks_cannot_end_the_warc_header_block():
    """Found by tests/reliability/test_fuzz.py: a raw CR/LF in ``Response.url`` used to
    end the WARC headers early, and the rest read as the HTTP head."""
    from io import BytesIO

    from warcio.archiveiterator import ArchiveIterator
    from warcio.warcwriter import WARCWriter

    response = Response("http://h/a\r\nb c", status=451, body=b"gone")
    stream = BytesIO()
    WARCWriter(stream, gzip=False).write_record(build(response))
    stream.seek(0)
    read = [(record.rec_headers.get_header("WARC-Target-URI"),
             record.http_headers.get_statuscode(), record.content_stream().read())
            for record in ArchiveIterator(stream)]
    assert read == [("http://h/a%0D%0Ab%20c", "451", b"gone")]


def test_a_payload_digest_handed_over_gives_the_record_warcio_would_write():
    """The capture middleware hashes each body for dedup; handed to the record, that
    digest spares warcio a second pass and changes no byte."""
    response = Response("https://h/a?q=1", body=b"<html>" + bytes(range(256)) * 40,
                        ip_address=ip_address("127.0.0.1"), flags=["partial"],
                        headers={"Content-Type": "text/html"})
    computed, given = build(response), records.response_record(
        response, "<urn:uuid:r>", "<urn:uuid:q>", "2026-11-25T00:00:00Z",
        payload_digest(response.body))
    assert given.rec_headers.headers == computed.rec_headers.headers
    assert _written(given) == _written(computed)


def _written(record) -> bytes:
    out = BytesIO()
    WARCWriter(out, gzip=False, warc_version="1.1").write_record(record)
    return out.getvalue()
