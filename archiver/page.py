"""One parse of a captured HTML page, shared by extraction, discovery and paywall detection.

Parsing is the costliest step per page, so everything that reads the document
(metadata, text extraction, links, paywall signals) takes a :class:`CapturedPage`
and uses its cached tree and metadata instead of parsing the bytes again. The
page owns what the publisher says about itself (JSON-LD, ``<meta>``) once, for
the article classifier and the paywall rules alike.
"""

from __future__ import annotations

import codecs
import importlib
import importlib.util
import json
import sys
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

import lxml.html
from lxml import etree
from lxml.etree import ParserError
from w3lib.encoding import html_to_unicode

if TYPE_CHECKING:
    from archiver.discovery.links import Requisite
    from archiver.toolkit.stylesheets import PageStylesheets

_JSONLD_SCRIPTS = ".//script[@type='application/ld+json']"


def _html_parser() -> etree.HTMLParser:
    """lxml.html's parser, with its element classes chosen in C.

    ``lxml.html.HTMLParser`` picks each element's Python class by a Python
    callback (to give ``<form>``, ``<input>``, ``<select>``, ``<textarea>`` and
    ``<label>`` their form helpers, which nothing here uses), run for every
    element object the analysers make: about 4,000 a real article page, as
    trafilatura, detection and discovery walk the tree (0.42 against 0.17 us
    an element in C, about 1 ms of a real page's 50). Every element is an
    ``HtmlElement`` here: the same methods, documents and results as before.
    """
    parser = etree.HTMLParser()
    parser.set_element_class_lookup(etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity))
    return parser


_PARSER = _html_parser()
_EXTRUCT_LOCK = threading.Lock()


@cache
def _json_ld_extractor() -> Any:
    """extruct's JSON-LD reader (stateless, one for all pages), loaded without
    the rest of extruct.

    ``import extruct.jsonld`` first runs the package's ``__init__``, which imports
    every syntax's extractor: microformats pull in bs4, mf2py and requests, RDFa
    pyRdfa; 0.24 s of CPU of every analysis worker's first page, against 0.007 s
    for the JSON-LD module alone. So, unless extruct is already imported, its
    package module is made but not run while ``extruct.jsonld`` (and the
    ``extruct.utils`` it imports) load, and those are taken out of ``sys.modules``
    again: an ``import extruct`` elsewhere still gets the whole package, run as usual.
    """
    with _EXTRUCT_LOCK:
        if "extruct" in sys.modules:
            return importlib.import_module("extruct.jsonld").JsonLdExtractor()
        before = set(sys.modules)
        spec = importlib.util.find_spec("extruct")
        if spec is None:
            raise ModuleNotFoundError("extruct is not installed", name="extruct")
        sys.modules["extruct"] = importlib.util.module_from_spec(spec)
        try:
            return importlib.import_module("extruct.jsonld").JsonLdExtractor()
        finally:
            for name in set(sys.modules) - before:
                if name == "extruct" or name.startswith("extruct."):
                    del sys.modules[name]


# Single-byte charsets that UTF-8 pages are often wrongly labelled with (a CMS
# template's default): 7 of the 14 non-ASCII pages so labelled in the paywall and fundus
# corpora hold valid UTF-8, read as "fÃ¼r" and "sanciÃ³n" before this repair.
_SINGLE_BYTE = frozenset({"ascii", *(f"iso8859-{n}" for n in range(1, 17)),
                          *(f"cp125{n}" for n in range(9))})


@dataclass
class CapturedPage:
    """An HTTP capture as the analysers see it: decoded body, never the network."""

    url: str
    body: bytes
    status: int = 200
    headers: Mapping[str, list[str]] = field(default_factory=dict)
    """Header names in lower case, values decoded as latin-1 (lossless)."""
    stylesheets: PageStylesheets | None = None
    """The stylesheets the page links, as captured in the same archive, when it is
    re-analysed from one (``archiver reextract``); ``None`` in the live crawl, which
    fetches them after the verdict is made, and for a saved page."""

    def header(self, name: str) -> str | None:
        values = self.headers.get(name.lower())
        return values[0] if values else None

    @cached_property
    def html(self) -> str:
        """The body as text, decoded the way a browser would (BOM, header, meta),
        except that a body declared in a single-byte charset which is valid
        UTF-8 is read as UTF-8: the declaration is wrong. Text really in
        windows-1252 or latin-1 with any accented letter is almost never valid
        UTF-8 (its lone high bytes break the multi-byte rules), so the strict
        decoding is the test; no statistical detector is needed for it."""
        content_type = self.header("content-type") or ""
        encoding, text = html_to_unicode(content_type, self.body)
        if codecs.lookup(encoding).name in _SINGLE_BYTE and not self.body.isascii():
            try:
                return self.body.decode("utf-8")
            except UnicodeDecodeError:
                pass
        return text

    @cached_property
    def tree(self) -> lxml.html.HtmlElement:
        """The parsed document; an empty ``<html>`` for bodies lxml cannot parse."""
        text = self.html
        try:
            return (lxml.html.document_fromstring(text, parser=_PARSER) if text.strip()
                    else _empty_document())
        except (ParserError, ValueError):
            return _empty_document()

    @cached_property
    def base_href(self) -> str | None:
        """The document's first ``<base href>``, as written (discovery resolves it):
        looked up once, not by each of the three link readers (0.2 ms a real page each)."""
        element = self.tree.find(".//base[@href]")
        return element.get("href") if element is not None else None

    @cached_property
    def requisites(self) -> list[Requisite]:
        """What the page embeds (:func:`~archiver.discovery.links.page_requisites`),
        found once: the analysis keeps them for replay, and ``archiver reextract``
        reads the stylesheets among them (1.9 ms a fundus page, twice without this)."""
        from archiver.discovery.links import page_requisites

        return page_requisites(self)

    @cached_property
    def json_ld(self) -> list[dict[str, Any]]:
        """Every JSON-LD object of the page, ``@graph`` and ``mainEntity`` members
        included, each block read once by extruct's lenient parser (it also reads
        blocks with leading HTML or JavaScript comments; about 0.2 ms a page). A
        block even extruct cannot read is skipped, the others kept."""
        extractor = _json_ld_extractor()
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


def json_ld_types(node: Mapping[str, Any]) -> set[str]:
    """A JSON-LD object's ``@type`` values (one or a list), lower-cased."""
    kind = node.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {k.lower() for k in kinds if isinstance(k, str)}


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
    return lxml.html.document_fromstring("<html><body></body></html>", parser=_PARSER)
