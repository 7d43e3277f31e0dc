"""Scrapy's meta-refresh redirects, read from the head of the page only.

Scrapy's :class:`~scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware`
looks for ``<meta http-equiv="refresh">`` in the first 4,096 characters of a
page's text, but gets them by decoding the whole body (``response.text``): on
the real-page benchmark that decode was 2% of the crawling process's samples
on a first run, and nothing else in the crawling process reads the text of an
HTML page (the analysis workers decode the bytes they are sent). This
middleware, in its place, hands Scrapy's the same page cut to its first
:data:`HEAD_BYTES` bytes, decoded with the whole page's encoding: the same
first 4,096 characters, so the same redirect or none.

A replayed page whose whole analysis the catalog holds
(:data:`~archiver.capture.link.REUSED_FLAG`) is not read at all: its stored
discovery shows that this payload reached the spider before, so no meta
refresh took it elsewhere (:mod:`archiver.capture.recrawl`).
"""

from __future__ import annotations

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.http import HtmlResponse, Response

from archiver.capture.link import REUSED_FLAG

HEAD_BYTES = 64 * 1024
"""Enough bytes for Scrapy's 4,096 characters in any encoding (at most 4 bytes a
character in UTF-8, UTF-16 and UTF-32, and a few more in escape-coded ones)."""
HEAD_CHARACTERS = 4096
"""What Scrapy's ``get_meta_refresh`` reads of the text."""


class HeadMetaRefresh(MetaRefreshMiddleware):
    """Scrapy's meta refresh, on the head of the page (see the module's docstring)."""

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if REUSED_FLAG in response.flags:
            return response
        head = _head(response)
        result = super().process_response(request, head)
        return response if result is head else result


def _head(response: Response) -> Response:
    """``response`` cut to :data:`HEAD_BYTES`, with the encoding the whole page has
    (declared by a byte order mark, its headers or its markup, else inferred from
    all its bytes, as Scrapy would); the response itself when it is short or its
    head decodes to too few characters."""
    if not isinstance(response, HtmlResponse) or len(response.body) <= HEAD_BYTES:
        return response
    head = response.replace(body=response.body[:HEAD_BYTES], encoding=response.encoding)
    return head if len(head.text) >= HEAD_CHARACTERS else response
