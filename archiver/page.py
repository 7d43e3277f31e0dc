"""One parse of a captured HTML page, shared by extraction and paywall detection.

Parsing is the costliest step per page, so everything that reads the document
(metadata, text extraction, paywall signals) takes a :class:`CapturedPage` and
uses its cached tree instead of parsing the bytes again.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import lxml.html
from lxml.etree import ParserError
from w3lib.encoding import html_to_unicode


@dataclass
class CapturedPage:
    """An HTTP capture as the analysers see it: decoded body, never the network."""

    url: str
    body: bytes
    status: int = 200
    headers: Mapping[str, list[str]] = field(default_factory=dict)
    """Header names in lower case, values decoded as latin-1 (lossless)."""

    def header(self, name: str) -> str | None:
        values = self.headers.get(name.lower())
        return values[0] if values else None

    @cached_property
    def html(self) -> str:
        """The body as text, decoded the way a browser would (BOM, header, meta)."""
        content_type = self.header("content-type") or ""
        encoding, text = html_to_unicode(content_type, self.body)
        self.encoding = codecs.lookup(encoding).name
        return text

    @cached_property
    def jsonld(self) -> list:
        """Every JSON-LD block of the page, parsed; malformed blocks are skipped."""
        blocks = []
        for script in self.tree.iterfind(".//script[@type='application/ld+json']"):
            try:
                blocks.append(json.loads(script.text or ""))
            except ValueError:
                continue
        return blocks

    @cached_property
    def tree(self) -> lxml.html.HtmlElement:
        """The parsed document; an empty ``<html>`` for bodies lxml cannot parse."""
        text = self.html
        try:
            return lxml.html.document_fromstring(text) if text.strip() else _empty_document()
        except (ParserError, ValueError):
            return _empty_document()


def _empty_document() -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring("<html><body></body></html>")
