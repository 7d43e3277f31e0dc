"""Article text and metadata from a captured page: text by trafilatura, metadata from the page.

trafilatura is the field's best-evaluated main-text extractor; we map its text
onto our fields. The title, date and authors come from what the publisher
declares, already read once by :class:`~archiver.page.CapturedPage` (JSON-LD,
``<meta>``), and only where that says nothing from trafilatura's and htmldate's
searches of the document. trafilatura's own metadata pass (``with_metadata``)
cost 5.0 ms median, 11.7 ms mean, a fundus page and agreed less with fundus'
hand-checked labels (``python -m benchmarks.extraction``): titles 171 of 257
against 203, dates 249 against 253, author lists 188 against 213, at 0.1 ms
median (1.0 mean) here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import trafilatura
from htmldate import find_date
from trafilatura.json_metadata import normalize_authors
from trafilatura.metadata import extract_author
from trafilatura.settings import set_date_params

from archiver.article import ArticleText
from archiver.discovery.classifier import ARTICLE_TYPES
from archiver.page import CapturedPage, json_ld_types
from archiver.words import cjk_characters, count_words


@dataclass
class PageMetadata:
    title: str | None = None
    published: str | None = None
    authors: list[str] = field(default_factory=list)


# Below this many words, trafilatura's fast mode may have missed the body.
FAST_MODE_MIN_WORDS = 150
_ISO_DAY = re.compile(r"\d{4}-\d\d-\d\d")
_SPACES = re.compile(r"\s+")
# Where publishers declare a publication time outside JSON-LD, most specific first.
_DATE_META = ("article:published_time", "og:article:published_time", "date", "pubdate",
              "publishdate", "dc.date", "dc.date.issued", "dcterms.created")
_AUTHOR_META = ("author", "article:author", "dc.creator")
# What trafilatura's byline rules (``trafilatura.xpaths.AUTHOR_XPATHS``) look for in
# a class, id, rel, itemprop, data-testid or data-component value, or as a tag
# (``<author>``, a ``<rel>`` child), each as a substring of the rule, lower-cased.
# Attribute values can only hold these if the page's text does, unless a
# character reference spells them (hence ``&#``: HTML has no named reference
# for an ASCII letter or hyphen).
BYLINE_WORDS = ("uthor", "byl", "yline", "bbl", "username", "channel-name", "zuozhe",
                "bianji", "xiaobian", "submitted-by", "posted-by", "journalist-name",
                "screenname", "writer", "<rel", "&#")


def _trafilatura(page: CapturedPage, fast: bool):
    return trafilatura.bare_extraction(
        page.tree,
        url=page.url,
        with_metadata=False,
        include_comments=False,
        include_tables=True,
        favor_precision=True,
        fast=fast,
    )


def _text(document) -> str:
    return (document.text or "") if document is not None else ""


def _short(text: str, words: int) -> bool:
    """Is the text, of ``words`` words, shorter than an article's body (``FAST_MODE_MIN_WORDS``)?

    Words are counted as publishers count them, a Chinese or Japanese character
    as one; but a word of those languages is about two characters, so a text
    mostly of them needs twice the count. (Counted by spaces, a whole Japanese
    article was 10 "words", and 8 of the 20 fundus pages sent to full mode
    gained nothing there, 45 ms each.) The text kept is the same as with the
    count used before (spaces, plus half a word a CJK character) on all 2,073
    fundus and paywall-corpus pages; one page that went to full mode in vain
    no longer does.
    """
    return words < FAST_MODE_MIN_WORDS * (2 if 2 * cjk_characters(text) > words else 1)


def _clean(value: str) -> str:
    """Declared values are often HTML-escaped twice (``&quot;`` inside JSON-LD)."""
    return html.unescape(_SPACES.sub(" ", value)).strip()


def _names(value: Any) -> Iterable[str]:
    """Author names from a JSON-LD ``author``: a string, a Person or
    Organization, or a list of them."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        yield from _names(value.get("name"))
    elif isinstance(value, list):
        for member in value:
            yield from _names(member)


def page_metadata(page: CapturedPage) -> PageMetadata:
    """Title, publication day and authors as the page declares them.

    The JSON-LD article's ``headline`` is preferred to ``og:title`` (a social
    variant of the headline on many sites: 173 of 257 fundus titles matched
    with ``og:title`` first, 203 with ``headline``); authors' names are split
    and cleaned by trafilatura's own normaliser.
    """
    articles = [node for node in page.json_ld if json_ld_types(node) & ARTICLE_TYPES]

    def declared(key: str) -> str | None:
        for node in articles:
            value = node.get(key)
            if isinstance(value, str) and value.strip():
                return _clean(value)
        return None

    def meta(keys: Iterable[str]) -> str | None:
        for key in keys:
            for value in page.meta.get(key, []):
                if value:
                    return _clean(value)
        return None

    title = (declared("headline") or meta(("og:title", "twitter:title"))
             or _clean(page.tree.findtext(".//title") or "") or None)
    date = declared("datePublished") or meta(_DATE_META) or ""
    day = _ISO_DAY.match(date)
    # htmldate reads the document (and its URL) where nothing is declared, or
    # declared in another format ("Fri Apr 28 19:20:36 CEST 2023"): 14 of 257 pages.
    published = day.group() if day else find_date(page.tree, url=page.url,
                                                  **set_date_params(True))
    joined: str | None = None
    for node in articles:
        for name in _names(node.get("author")):
            joined = normalize_authors(joined, name)
        if joined:
            break
    named = meta(_AUTHOR_META)
    if not joined and named:
        joined = normalize_authors(None, named)
    if not joined:  # a byline in the document: 9 of the 213 agreeing author lists
        joined = _byline(page)
    authors = [a.strip() for a in (joined or "").split(";") if a.strip()]
    return PageMetadata(title=title, published=published, authors=authors)


def article_text(page: CapturedPage) -> str:
    """The main text by trafilatura; never raises on bad HTML.

    Fast mode (no readability/jusText fallbacks) takes half the time and gives
    the same text on most pages, but loses the body on some layouts (8 of the
    257 corpus pages); a short fast result is therefore checked with the full
    extractor and the longer text kept.
    """
    return _counted_text(page)[0]


def _counted_text(page: CapturedPage) -> tuple[str, int]:
    """:func:`article_text` and its word count, counted once for the choice above."""
    text = _text(_trafilatura(page, fast=True))
    words = count_words(text)
    if _short(text, words):
        thorough = _text(_trafilatura(page, fast=False))
        if (thorough_words := count_words(thorough)) > words:
            text, words = thorough, thorough_words
    return text, words


def _byline(page: CapturedPage) -> str | None:
    """trafilatura's byline search, on pages where one of its rules could match.

    The search (a copy of the tree and three XPath rules whose regular
    expressions call back into Python for every element) cost 7 of the 24 ms
    a generated page's analysis took, and finds nothing on a page none of whose
    text holds any word its rules test (:data:`BYLINE_WORDS`): 0.2 ms to
    check. The search still runs wherever it could find a byline, so the
    result is the same on every page (none differed on the 2,090 fundus and
    paywall-corpus pages).
    """
    text = page.html.lower()
    return extract_author(page.tree) if any(word in text for word in BYLINE_WORDS) else None


def extract_article(page: CapturedPage) -> ArticleText:
    """The article's text (:func:`article_text`) and its declared metadata.

    Its word count is the one the choice of text made, so it goes back to the
    crawling process with the article (cached on it, pickled with it): counted
    there again for the item, it was 0.37 ms of that process's CPU a real article.
    """
    text, words = _counted_text(page)
    article = article_of(page, text, page_metadata(page))
    article.word_count = words
    return article


def article_of(page: CapturedPage, text: str, metadata: PageMetadata) -> ArticleText:
    """The article from its parts (``benchmarks.throughput`` times each part apart)."""
    return ArticleText(
        title=metadata.title,
        published=metadata.published,
        authors=metadata.authors,
        language=(page.tree.get("lang") or "").strip() or None,
        text=text,
    )
