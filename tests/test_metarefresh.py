"""Meta-refresh redirects read from a page's head: the same redirects as Scrapy's
middleware, without decoding the whole page."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from archiver.capture.link import REUSED_FLAG
from archiver.capture.metarefresh import HEAD_BYTES, HeadMetaRefresh, _head

URL = "http://127.0.0.1:1/news/a"
REFRESH = '<meta http-equiv="refresh" content="0; url=/news/moved">'


def page(head: str, charset: str = "utf-8", bom: bytes = b"", flags: list[str] | None = None,
         encoding_header: bool = True) -> HtmlResponse:
    """An article page well past :data:`HEAD_BYTES`, its text not all ASCII."""
    text = f"<html><head>{head}<title>Zürich</title></head><body>"
    text += "<p>Straße, 東京, naïve café.</p>\n" * (HEAD_BYTES // 20) + "</body></html>"
    content_type = f"text/html; charset={charset}" if encoding_header else "text/html"
    return HtmlResponse(URL, body=bom + text.encode(charset, "xmlcharrefreplace"),
                        flags=flags, headers={"Content-Type": content_type},
                        request=Request(URL))


@pytest.fixture
def middleware() -> HeadMetaRefresh:
    return HeadMetaRefresh.from_crawler(get_crawler())


def test_a_refresh_in_a_long_page_s_head_is_followed(middleware):
    response = page(REFRESH)
    assert len(response.body) > HEAD_BYTES
    result = middleware.process_response(response.request, response)
    assert isinstance(result, Request) and result.url == "http://127.0.0.1:1/news/moved"


def test_a_page_without_one_goes_on_as_it_came(middleware):
    response = page("")
    assert middleware.process_response(response.request, response) is response


@pytest.mark.parametrize(("charset", "bom", "header"), [
    ("utf-8", b"", True), ("utf-16-le", b"\xff\xfe", False), ("shift_jis", b"", True),
    ("utf-8", b"", False),  # no declaration: the encoding inferred from all the bytes
])
def test_the_head_holds_the_text_scrapy_reads(charset, bom, header):
    response = page(REFRESH, charset, bom, encoding_header=header)
    head = _head(response)
    assert head is not response and len(head.body) == HEAD_BYTES
    assert head.encoding == response.encoding
    assert head.text[:4096] == response.text[:4096]


def test_a_reused_replayed_page_is_not_read(middleware):
    response = page(REFRESH, flags=["revisit", REUSED_FLAG])
    assert middleware.process_response(response.request, response) is response
