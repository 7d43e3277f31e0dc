"""A hostile loopback site: every case is archived, counted, and the crawl goes on.

One crawl meets oversized bodies, a decompression bomb, resets and stalls
mid-body, a trickling body, invalid gzip, wrong and missing charsets, malformed
JSON-LD, broken sitemaps and feeds and a redirect loop. The README's table of
hostile cases is this module's list of routes.
"""

from __future__ import annotations

import gzip
import json
import zlib

import pytest

from archiver.capture.bounded import BodyTooLarge
from archiver.demo.server import Route, serve
from archiver.toolkit.captures import read_capture, scan_warc
from tests.catalog.site import article_page, listing, warcio_check
from tests.crawling import CrawlOutput, Record, crawl

MAXSIZE = 1_000_000
DECODED_MAXSIZE = 4_000_000
BIG = b"<html><body><p>" + b"Oversized article text. " * 200_000 + b"</p></body></html>"
STORY = article_page("A perfectly ordinary story", 41)


def bomb(size: int) -> bytes:
    """``size`` zero bytes, gzipped (about a thousandth of that), without holding them."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1 << 20)
    return b"".join([*(packer.compress(zeros) for _ in range(size >> 20)), packer.flush()])


BOMB = bomb(96 << 20)
LATIN1 = article_page("Caf\u00e9 cr\u00e8me und Stra\u00dfe", 42).decode().encode("latin-1")
BAD_JSONLD = STORY.replace(b'"@type": "NewsArticle",', b'"@type": "NewsArticle",,{{[', 1)

ROUTES: dict[str, Route] = {
    "/robots.txt": Route(body=b"User-agent: *\nAllow: /\nSitemap: /sitemap.xml\n",
                         content_type=b"text/plain"),
    "/sitemap.xml": Route(body=b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/'
                          b'schemas/sitemap/0.9"><url><lo',
                          content_type=b"application/xml"),
    "/feed.xml": Route(body=b"<rss><channel><ite",
                       content_type=b"application/rss+xml"),
    "/news/big": Route(body=BIG),
    "/news/big-chunked": Route(body=BIG, chunked=True),
    "/news/bomb": Route(body=BOMB, headers=[(b"Content-Encoding", b"gzip")]),
    "/news/reset": Route(body=STORY, fault="reset", cut_at=20_000, fault_seconds=0.5),
    "/news/stall": Route(body=STORY, fault="stall", cut_at=20_000, fault_seconds=30),
    "/news/drip": Route(body=STORY, fault="drip", cut_at=1_000, fault_seconds=0.01),
    "/news/bad-gzip": Route(body=b"\x1f\x8b\x08\x00 this is not gzip at all" * 20,
                            headers=[(b"Content-Encoding", b"gzip")]),
    "/news/wrong-charset": Route(body=LATIN1, content_type=b"text/html; charset=utf-8"),
    "/news/no-charset": Route(body=LATIN1.replace(b'<meta charset="utf-8">', b""),
                              content_type=b"text/html"),
    "/news/bogus-charset": Route(body=article_page("A bogus charset", 43),
                                 content_type=b"text/html; charset=x-no-such"),
    "/news/bad-jsonld": Route(body=BAD_JSONLD),
    "/news/truncated-gzip": Route(body=gzip.compress(STORY)[:9_000],
                                  headers=[(b"Content-Encoding", b"gzip")]),
    "/loop-a": Route(status=301, headers=[(b"Location", b"/loop-b")]),
    "/loop-b": Route(status=302, headers=[(b"Location", b"/loop-a")]),
    "/news/ordinary": Route(body=STORY),
}
LINKED = [path for path in ROUTES if path not in ("/robots.txt", "/loop-b")]
ROUTES["/"] = Route(body=listing("Hostile home", LINKED)
                    .replace(b"</head>", b'<link rel="alternate" type="application/rss+xml" '
                             b'href="/feed.xml"></head>'))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> tuple[CrawlOutput, str]:
    output = tmp_path_factory.mktemp("hostile")
    with serve(ROUTES) as site:
        result = crawl(site.base_url + "/", output, "--crawl-id", "hostile",
                       "-s", f"DOWNLOAD_MAXSIZE={MAXSIZE}",
                       "-s", f"ARCHIVER_DECODED_MAXSIZE={DECODED_MAXSIZE}",
                       "-s", "ARCHIVER_BODY_TIMEOUT=4", "-s", "DOWNLOAD_TIMEOUT=8",
                       "-s", "RETRY_TIMES=1", "-s", "REDIRECT_MAX_TIMES=4",
                       "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8")
    assert result.process.returncode == 0, result.process.stderr[-4000:]
    return result, site.base_url


def responses(output: CrawlOutput, base: str, path: str) -> list[Record]:
    return [r for r in output.records() if r.rec_type == "response" and r.target == base + path]


def stats(output: CrawlOutput) -> dict:
    """The run's stats as the catalog recorded them."""
    from tests.catalog.site import catalog_rows

    return json.loads(catalog_rows(output.directory, "SELECT stats FROM crawls")[0][0])


@pytest.mark.parametrize("path", ["/news/big", "/news/big-chunked"])
def test_an_oversized_body_is_archived_up_to_the_limit(hostile, path):
    output, base = hostile
    [record] = responses(output, base, path)
    assert record.header("WARC-Truncated") == "length"
    assert record.payload == BIG[:MAXSIZE]
    assert stats(output)["archiver/limits/truncated_length"] == 2


def test_a_decompression_bomb_is_archived_raw_and_never_inflated(hostile):
    output, base = hostile
    [record] = responses(output, base, "/news/bomb")
    assert record.payload == BOMB, "the compressed bytes, as sent"
    assert record.http_header_values("Content-Encoding") == [b"gzip"]
    assert stats(output)["archiver/limits/decompression_refused"] == 1
    assert base + "/news/bomb" not in {item["url"] for item in output.items()}


def test_reading_the_archived_bomb_back_stops_at_the_limit(hostile):
    output, base = hostile
    entries = [entry for path in output.warc_files for entry in scan_warc(path)[0]
               if entry.url == base + "/news/bomb"]
    assert [entry.rec_type for entry in entries] == ["response"]
    with pytest.raises(BodyTooLarge):
        read_capture(entries[0])


def test_a_reset_mid_body_is_archived_as_disconnect_and_retried(hostile):
    output, base = hostile
    attempts = responses(output, base, "/news/reset")
    assert len(attempts) == 2, "first attempt and one retry"
    for record in attempts:
        assert record.header("WARC-Truncated") == "disconnect"
        assert STORY[:20_000].startswith(record.payload), "the bytes that arrived, as sent"
    assert any(len(record.payload) == 20_000 for record in attempts)
    counted = stats(output)
    assert counted["archiver/hostile/cut_bodies"] == 2
    assert counted["retry/reason_count/dataloss"] == 1


def test_a_trickling_body_is_stopped_and_archived_as_time(hostile):
    output, base = hostile
    [record] = responses(output, base, "/news/drip")
    assert record.header("WARC-Truncated") == "time"
    assert STORY.startswith(record.payload) and 1_000 < len(record.payload) < len(STORY)
    assert stats(output)["archiver/limits/truncated_time"] == 1


def test_a_stall_is_archived_as_a_fetch_error_per_attempt(hostile):
    output, base = hostile
    errors = [r for r in output.records() if r.rec_type == "metadata"
              and r.target == base + "/news/stall"]
    assert len(errors) == 2
    assert all(b"DownloadTimeoutError" in r.block for r in errors)


def test_invalid_gzip_is_archived_raw_and_counted(hostile):
    output, base = hostile
    [record] = responses(output, base, "/news/bad-gzip")
    assert record.payload == ROUTES["/news/bad-gzip"].body
    assert stats(output)["archiver/hostile/undecodable"] == 1


def test_a_redirect_loop_is_archived_counted_and_left(hostile):
    output, base = hostile
    for path in ("/loop-a", "/loop-b"):
        assert len(responses(output, base, path)) == 1, "each hop archived once"
    assert stats(output)["archiver/hostile/redirect_loops"] == 1


@pytest.mark.parametrize("path", ["/news/wrong-charset", "/news/no-charset",
                                  "/news/bogus-charset", "/news/bad-jsonld",
                                  "/news/truncated-gzip", "/news/ordinary"])
def test_pages_with_broken_metadata_still_become_items(hostile, path):
    output, base = hostile
    assert responses(output, base, path)
    [item] = [item for item in output.items() if item["url"] == base + path]
    assert item["word_count"] > 50


def test_broken_sitemaps_and_feeds_are_archived_and_the_crawl_goes_on(hostile):
    output, base = hostile
    for path in ("/sitemap.xml", "/feed.xml"):
        [record] = responses(output, base, path)
        assert record.payload == ROUTES[path].body
    counted = stats(output)
    assert counted["archiver/discovery/sitemaps_unread"] == 1
    assert counted["archiver/discovery/feeds_unread"] == 1


def test_every_warc_passes_warcio_check_and_no_callback_raised(hostile):
    output, _ = hostile
    checked = warcio_check([str(path) for path in output.warc_files])
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert stats(output).get("spider_exceptions/count", 0) == 0
