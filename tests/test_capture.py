"""The WARC capture, read back byte for byte from a crawl of a loopback site
that sends what real news servers send: gzip and chunked bodies, latin-1 and
repeated headers, query strings, binary files, redirects and errors."""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC
from pathlib import Path

import pytest
from warcio.timeutils import iso_date_to_datetime

from archiver.demo.server import Route, serve
from tests.crawling import CrawlOutput, Record, crawl, read_records, wait_for

ARTICLE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta property="og:type" content="article"></head><body><nav><a href="/">Home</a></nav>
<article><h1>{title}</h1>{paragraphs}</article>{links}</body></html>"""


def article(title: str, links: str = "") -> bytes:
    paragraphs = "".join(
        f"<p>{title} paragraph {n}: the council met again on Tuesday to discuss the plan for "
        "the harbour, and residents spoke for and against it at length.</p>"
        for n in range(1, 6)
    )
    return ARTICLE.format(title=title, paragraphs=paragraphs, links=links).encode()


BINARY = bytes(range(256)) * 4
HOME = b"""<html><head><title>Wire site</title></head><body>
<a href="/gz-article">gzip</a> <a href="/chunked-article">chunked</a>
<a href="/search?q=caf%C3%A9&page=2">query</a> <a href="/download?id=7">binary</a>
<a href="/moved">redirect</a> <a href="/gone">404</a> <a href="/broken">500</a>
<a href="/headers">headers</a> <a href="/secret/plans">forbidden</a>
<a href="/gz-article#comments">same page, fragment</a></body></html>"""

ROUTES = {
    "/robots.txt": Route(body=b"User-agent: *\nDisallow: /secret/\n", content_type=b"text/plain"),
    "/": Route(body=HOME),
    "/gz-article": Route(body=article("Gzip story"), gzip=True),
    "/chunked-article": Route(body=article("Chunked story"), chunked=True),
    "/gz-chunked": Route(body=article("Both"), gzip=True, chunked=True),
    "/search?q=caf%C3%A9&page=2": Route(
        body=article("Search result", '<a href="/gz-chunked">x</a>')
    ),
    "/download?id=7": Route(body=BINARY, content_type=b"application/octet-stream"),
    "/moved": Route(status=301, headers=[(b"Location", b"/chunked-article")]),
    "/gone": Route(status=404, body=b"<html><body>gone</body></html>"),
    "/broken": Route(status=500, body=b"<html><body>oops</body></html>"),
    "/headers": Route(
        body=article("Headers story", '<a href="/after-cookies">next</a>'),
        headers=[
            (b"Set-Cookie", b"a=1; Path=/"),
            (b"Set-Cookie", b"b=2; Path=/"),
            (b"X-Place", b"Z\xfcrich"),
            (b"Link", b"</a.css>; rel=preload"),
            (b"Link", b"</b.js>; rel=preload"),
        ],
    ),
    "/after-cookies": Route(body=article("After cookies")),
    "/secret/plans": Route(body=article("Secret")),
}


@pytest.fixture(scope="module")
def wire_crawl(tmp_path_factory: pytest.TempPathFactory):
    output = tmp_path_factory.mktemp("wire")
    with serve(ROUTES) as site:
        result = crawl(site.base_url + "/", output, "-s", "RETRY_TIMES=1")
        yield site, result


def responses(result: CrawlOutput) -> list[Record]:
    return [r for r in result.records() if r.rec_type == "response"]


def response_for(result: CrawlOutput, url: str) -> Record:
    matches = [r for r in responses(result) if r.target == url]
    assert len(matches) == 1, f"{url}: {len(matches)} response records"
    return matches[0]


def sha1_b32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def test_crawl_succeeds_and_warcio_check_passes(wire_crawl):
    _, result = wire_crawl
    assert result.process.returncode == 0, result.process.stderr[-3000:]
    assert result.warc_files
    check = subprocess.run(
        [sys.executable, "-m", "warcio.cli", "check", "-v", *map(str, result.warc_files)],
        capture_output=True, text=True,
    )
    assert check.returncode == 0, check.stdout
    assert "digest pass" in check.stdout and "fail" not in check.stdout.lower()


def test_files_follow_iipc_naming_and_open_suffix_is_gone(wire_crawl):
    _, result = wire_crawl
    for path in result.warc_files:
        assert re.fullmatch(r".+-\d{17}-\d{5}-[\w.-]+\.warc\.gz", path.name), path.name
    assert not list((result.directory / "warc").glob("*.open"))


def test_every_reachable_page_archived_once_and_robots_obeyed(wire_crawl):
    site, result = wire_crawl
    base = site.base_url
    counts = Counter(r.target for r in responses(result))
    for path in ["/robots.txt", "/", "/gz-article", "/chunked-article", "/gz-chunked",
                 "/search?q=caf%C3%A9&page=2", "/download?id=7", "/moved", "/gone",
                 "/headers", "/after-cookies"]:
        assert counts[base + path] == 1, path
    assert counts[base + "/broken"] == 2, "a 500 and its retry are both archived"
    assert base + "/secret/plans" not in counts
    assert "/secret/plans" not in site.log.paths()


def test_gzip_body_is_stored_still_encoded(wire_crawl):
    site, result = wire_crawl
    record = response_for(result, site.base_url + "/gz-article")
    assert record.http_header_values("Content-Encoding") == [b"gzip"]
    wire = ROUTES["/gz-article"].wire_body()
    assert record.payload == wire
    assert gzip.decompress(record.payload) == ROUTES["/gz-article"].body
    assert record.header("WARC-Payload-Digest") == sha1_b32(wire)
    assert record.header("WARC-Block-Digest") == sha1_b32(record.block)
    assert record.http_header_values("Content-Length") == [str(len(wire)).encode()]


def test_chunked_body_is_stored_dechunked_with_consistent_headers(wire_crawl):
    site, result = wire_crawl
    for path in ["/chunked-article", "/gz-chunked"]:
        record = response_for(result, site.base_url + path)
        assert record.http_header_values("Transfer-Encoding") == []
        assert record.payload == ROUTES[path].wire_body()
        assert record.http_header_values("Content-Length") == [str(len(record.payload)).encode()]


def test_status_line_has_protocol_code_and_reason(wire_crawl):
    site, result = wire_crawl
    assert response_for(result, site.base_url + "/gone").first_line == b"HTTP/1.1 404 Not Found"
    moved = response_for(result, site.base_url + "/moved")
    assert moved.first_line == b"HTTP/1.1 301 Moved Permanently"
    assert moved.http_header_values("Location") == [b"/chunked-article"]
    assert response_for(result, site.base_url + "/").header("WARC-Protocol") == "http/1.1"


def test_header_bytes_kept_exactly_including_latin1_and_repeats(wire_crawl):
    site, result = wire_crawl
    record = response_for(result, site.base_url + "/headers")
    assert record.http_header_values("Set-Cookie") == [b"a=1; Path=/", b"b=2; Path=/"]
    assert record.http_header_values("Link") == [b"</a.css>; rel=preload", b"</b.js>; rel=preload"]
    assert record.http_header_values("X-Place") == [b"Z\xfcrich"]
    assert b"X-Place: Z\xfcrich\r\n" in record.block


def test_binary_body_is_byte_identical(wire_crawl):
    site, result = wire_crawl
    record = response_for(result, site.base_url + "/download?id=7")
    assert record.payload == BINARY
    assert record.header("WARC-Payload-Digest") == sha1_b32(BINARY)


def test_request_records_carry_real_request_line_host_and_no_credentials(wire_crawl):
    site, result = wire_crawl
    records = result.records()
    by_id = {r.header("WARC-Record-ID"): r for r in records}
    search = response_for(result, site.base_url + "/search?q=caf%C3%A9&page=2")
    request = by_id[search.header("WARC-Concurrent-To")]
    assert request.rec_type == "request"
    assert request.header("WARC-Concurrent-To") == search.header("WARC-Record-ID")
    assert request.first_line == b"GET /search?q=caf%C3%A9&page=2 HTTP/1.1"
    assert request.http_header_values("Host") == [f"127.0.0.1:{site.port}".encode()]
    assert request.http_header_values("User-Agent")[0].startswith(b"news-archiver/")
    assert b"gzip" in request.http_header_values("Accept-Encoding")[0]
    # /after-cookies is linked only from /headers, which sets the cookies: its request
    # cannot leave before them (others may, when the home page's links go out at once).
    sent_cookie = [h for _, p, h in site.log.entries if p == "/after-cookies" and "Cookie" in h]
    assert sent_cookie, "the site set cookies, so the page found after them must have sent them"
    for record in records:
        if record.rec_type == "request":
            assert record.http_header_values("Cookie") == []
            assert record.http_header_values("Authorization") == []


def test_records_link_to_warcinfo_and_ip(wire_crawl):
    _, result = wire_crawl
    for path in result.warc_files:
        records = [r for r in result.records() if r.path == path]
        info = records[0]
        assert info.rec_type == "warcinfo" and info.warc_head.startswith(b"WARC/1.1\r\n")
        assert b"robots: obey" in info.block and b"software: news-archiver/" in info.block
        for record in records[1:]:
            assert record.warc_head.startswith(b"WARC/1.1\r\n")
            assert record.header("WARC-Warcinfo-ID") == info.header("WARC-Record-ID")
            if record.rec_type in ("response", "request"):  # WARC 1.1 6.3.2, 6.5.2
                assert record.header("WARC-IP-Address") == "127.0.0.1", record.rec_type


def test_items_point_at_their_response_records(wire_crawl):
    _, result = wire_crawl
    items = result.items()
    assert {item["title"] for item in items} == {
        "Gzip story", "Chunked story", "Both", "Search result", "Headers story",
        "After cookies",
    }
    for item in items:
        record = Record.at(result.directory / "warc" / item["warc_filename"], item["warc_offset"])
        assert record.rec_type == "response"
        assert record.target == item["url"]
        assert record.header("WARC-Record-ID") == item["warc_record_id"]
        assert record.header("WARC-Payload-Digest") == item["payload_digest"]
        assert record.header("WARC-Date") == item["fetched_at"]
        assert item["word_count"] > 50 and "paragraph 5" in item["text"]
        with open(record.path, "rb") as stream:
            stream.seek(item["warc_offset"] + item["warc_length"])
            following = stream.read(2)
        assert following in (b"", b"\x1f\x8b"), "warc_length must end at a member boundary"


def test_records_are_dated_when_the_capture_began_not_when_written(tmp_path: Path):
    """WARC 1.1 5.4: ``WARC-Date`` is the instant capture began. The page is held back
    until its request has reached the server; both of its records are dated before
    that moment, where a date taken when they are written comes after it."""
    held = threading.Event()
    arrived: list[float] = []
    routes = {"/robots.txt": Route(body=b"User-agent: *\nAllow: /\n", content_type=b"text/plain"),
              "/": Route(body=article("Held story"), gate=held)}
    with serve(routes) as site:
        def release_once_requested() -> None:
            wait_for(lambda: "/" in site.log.paths(), "the page's request", timeout=120)
            arrived.append(time.time())
            held.set()

        releaser = threading.Thread(target=release_once_requested, daemon=True)
        releaser.start()
        result = crawl(site.base_url + "/", tmp_path / "out")
        releaser.join()
    assert result.process.returncode == 0, result.process.stderr[-3000:]
    dates = {record.rec_type: record.header("WARC-Date") for path in result.warc_files
             for record in read_records(path) if record.target == site.base_url + "/"}
    assert set(dates) == {"response", "request"} and len(set(dates.values())) == 1, dates
    began = iso_date_to_datetime(dates["response"]).replace(tzinfo=UTC).timestamp()
    assert began < arrived[0], "dated before the server held the page, not after"
    [item] = result.items()
    assert item["fetched_at"] == dates["response"]


def test_scrapy_crawl_works_from_project_root(tmp_path: Path):
    root = Path(__file__).resolve().parents[1]
    with serve({"/": Route(body=article("Root story"))}) as site:
        process = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "site", "-a", f"urls={site.base_url}/",
             "-s", f"ARCHIVER_OUTPUT_DIR={tmp_path}", "-s", "DOWNLOAD_DELAY=0",
             "-s", "AUTOTHROTTLE_START_DELAY=0", "-O", str(tmp_path / "items.jsonl")],
            capture_output=True, text=True, cwd=root, timeout=120,
        )
    assert process.returncode == 0, process.stderr[-3000:]
    assert "Root story" in (tmp_path / "items.jsonl").read_text()
    assert len(list((tmp_path / "warc").glob("*.warc.gz"))) == 1
