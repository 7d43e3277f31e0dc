"""One parse of a captured HTML page, shared by extraction, discovery and paywall detection.

Parsing is the costliest step per page, so everything that reads the document
(metadata, text extraction, links, paywall signals) takes a :class:`CapturedPage`
and uses its cached tree and metadata instead of parsing the bytes again. The
page owns what the publisher says about itself (JSON-LD, ``<meta>``) once, for
the article classifier and the paywall rules alike.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import lxml.html
from extruct.jsonld import JsonLdExtractor
from lxml.etree import ParserError
from w3lib.encoding import html_to_unicode

_JSONLD_SCRIPTS = ".//script[@type='application/ld+json']"


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
        return html_to_unicode(content_type, self.body)[1]

    @cached_property
    def tree(self) -> lxml.html.HtmlElement:
        """The parsed document; an empty ``<html>`` for bodies lxml cannot parse."""
        text = self.html
        try:
            return lxml.html.document_fromstring(text) if text.strip() else _empty_document()
        except (ParserError, ValueError):
            return _empty_document()

    @cached_property
    def json_ld(self) -> list[dict[str, Any]]:
        """Every JSON-LD object of the page, ``@graph`` and ``mainEntity`` members
        included, each block read once by extruct's lenient parser (it also reads
        blocks with leading HTML or JavaScript comments; about 0.2 ms a page). A
        block even extruct cannot read is skipped, the others kept."""
        extractor = JsonLdExtractor()
        objects: list[dict[str, Any]] = []
        for script in self.tree.iterfind(_JSONLD_SCRIPTS):
            try:
                objects.extend(_flatten(extractor.extract_items(script)))
            except (ValueError, TypeError, json.JSONDecodeError):
                continue
        return objects

    @cached_property
    def meta(self) -> dict[str, list[str]]:
        """``<meta>`` contents by lower-cased ``property`` or ``name``."""
        values: dict[str, list[str]] = {}
        for element in self.tree.iterfind(".//meta"):
            key = element.get("property") or element.get("name")
            content = element.get("content")
            if key and content is not None:
                values.setdefault(key.strip().lower(), []).append(content.strip())
        return values


def _flatten(items: Any) -> Iterator[dict[str, Any]]:
    if isinstance(items, list):
        for item in items:
            yield from _flatten(item)
    elif isinstance(items, dict):
        yield items
        graph = items.get("@graph")
        if graph is not None:
            yield from _flatten(graph)
        main = items.get("mainEntity")
        if isinstance(main, dict):
            yield from _flatten(main)


def _empty_document() -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring("<html><body></body></html>")
