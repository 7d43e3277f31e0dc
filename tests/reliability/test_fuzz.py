"""Random bytes through the capture middleware, the analysis and the readers: nothing raises,
every WARC written passes ``warcio check``.

Header bytes are what Twisted can deliver: names without ``:``, CR or LF, values
without CR or LF (it splits the head on those), anything else allowed, latin-1
and control bytes included. Example counts stay small so the suite stays fast.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scrapy import Request
from scrapy.http import Headers, HtmlResponse, Response
from scrapy.utils.test import get_crawler

from archiver.addon import MEMORY_INDEX
from archiver.analysis import analyse_page
from archiver.capture.middleware import WarcCaptureMiddleware
from archiver.capture.warcfile import mend_open_file
from archiver.page import CapturedPage
from archiver.toolkit.captures import read_capture, scan_warc
from archiver.warccheck import Problem, check_warc
from tests.catalog.site import warcio_check

FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

names = st.binary(min_size=1, max_size=20).filter(
    lambda b: not set(b) & set(b":\r\n") and b.strip() == b and b.strip())
values = st.binary(max_size=60).filter(lambda b: not set(b) & set(b"\r\n"))
headers = st.lists(st.tuples(names, values), max_size=8)
statuses = st.sampled_from([200, 201, 204, 301, 302, 304, 404, 410, 451, 500, 503, 599, 999])
bodies = st.binary(max_size=3000)
paths = st.text(st.characters(codec="utf-8", exclude_characters="#?"), max_size=30)

TAGS = ["<html>", "</html>", "<head>", "<body>", "<p>", "</p>", "<div class='paywall'>",
        "</div>", "<article>", "<script type='application/ld+json'>", "</script>",
        '{"@type": "NewsArticle", "isAccessibleForFree": false', "<meta charset='x-bad'>",
        "<title>", "</title>", "<a href='//[::1'>", "<link rel='canonical' href='//[::1'>",
        "<base href='//[::1'>", "<link rel='stylesheet' href='http://[x'>", "<img src='data:,'>",
        "\x00", "\ufffd",
        "Subscribe to keep reading", "&#xd800;", "<!--", "<![CDATA[", "<svg><style>"]
html = st.lists(st.one_of(st.sampled_from(TAGS), st.text(max_size=40)), max_size=60).map(
    "".join)


def errors(problems: Iterable[Problem]) -> list[Problem]:
    """``archiver check``'s errors (its warnings name what WARC allows but we do not write)."""
    return [problem for problem in problems if problem.severity == "error"]


def middleware(directory: Path) -> WarcCaptureMiddleware:
    crawler = get_crawler(settings_dict={
        "ARCHIVER_OUTPUT_DIR": str(directory), "ARCHIVER_CRAWL_ID": "fuzz",
        "ARCHIVER_WARC_ENABLED": True, "ARCHIVER_WARC_MAX_SIZE": 1 << 30,
        "ARCHIVER_DEDUP_ENABLED": True, "ARCHIVER_DEDUP_MIN_SIZE": 1024,
        "ARCHIVER_WARC_KEEP_CREDENTIALS": False, "ARCHIVER_CAPTURE_INDEX": MEMORY_INDEX,
    })
    return WarcCaptureMiddleware(crawler)


def test_random_exchanges_archive_into_valid_warcs_and_read_back(tmp_path: Path):
    capture = middleware(tmp_path)

    @FUZZ
    @given(path=paths, status=statuses, request_headers=headers, response_headers=headers,
           body=bodies, flags=st.sets(st.sampled_from(["partial", "dataloss",
                                                      "download_stopped"])))
    def archive(path, status, request_headers, response_headers, body, flags):
        url = "http://127.0.0.1:8080/" + path
        request = Request(url, headers=Headers(request_headers))
        response = Response(url, status=status, headers=Headers(response_headers), body=body,
                            request=request, flags=sorted(flags))
        assert capture.process_response(request, response) is response

    archive()
    capture.spider_closed(None)
    [warc] = capture.writer.closed_files
    checked = warcio_check([str(warc)])
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert errors(check_warc(warc)) == []
    entries, damage = scan_warc(warc)
    assert entries and damage == []
    for entry in entries:
        if entry.rec_type == "response":
            read_capture(entry)


@FUZZ
@given(body=html, content_type=st.sampled_from(["text/html", "text/html; charset=utf-8",
                                                "text/html; charset=x-nope", "", "text/plain"]),
       encoding=st.sampled_from(["utf-8", "latin-1", "utf-16", "cp1252"]))
def test_random_html_goes_through_extraction_and_detection_without_raising(
    body: str, content_type: str, encoding: str
):
    raw = body.encode(encoding, "replace")
    page = CapturedPage(url="http://127.0.0.1/news/2026/11/30/fuzz", body=raw,
                        headers={"content-type": [content_type]} if content_type else {})
    analysis = analyse_page(page, classify=lambda page: True)
    assert analysis.paywall is not None
    response = HtmlResponse(page.url, body=raw,
                            headers={"Content-Type": content_type or "text/html"})
    assert isinstance(response.text, str)


def test_torn_and_corrupt_warcs_are_mended_or_reported_never_raised(tmp_path: Path):
    capture = middleware(tmp_path / "source")
    for n in range(6):
        url = f"http://127.0.0.1/page{n}"
        request = Request(url)
        capture.process_response(request, Response(url, body=random.Random(n).randbytes(2000),
                                                   request=request))
    capture.spider_closed(None)
    [source] = capture.writer.closed_files
    data = source.read_bytes()

    @FUZZ
    @given(cut=st.integers(0, len(data)), flips=st.lists(st.integers(0, len(data) - 1),
                                                        max_size=4))
    def damage(cut: int, flips: list[int]):
        damaged = bytearray(data[:cut])
        for at in flips:
            if at < len(damaged):
                damaged[at] ^= 0xFF
        torn = tmp_path / "torn.warc.gz.open"
        torn.write_bytes(bytes(damaged))
        list(check_warc(torn))
        mended = mend_open_file(torn)
        if mended is not None:
            assert errors(check_warc(mended.path)) == [] or flips, "a clean cut mends clean"
            mended.path.unlink()

    damage()
