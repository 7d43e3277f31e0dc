"""Links of a captured page, read from the tree already parsed for extraction.

Scrapy's LinkExtractor would parse the page a second time; reading ``href``
attributes off the cached lxml tree keeps to one parse per page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urldefrag, urljoin, urlparse, urlsplit

from lxml import etree

from archiver.page import CapturedPage

FOLLOWED_SCHEMES = ("http://", "https://")
IGNORED_EXTENSIONS = (
    # archives
    "7z", "7zip", "bz2", "rar", "tar", "tar.gz", "xz", "zip",
    # images
    "mng", "pct", "bmp", "gif", "jpg", "jpeg", "png", "pst", "psp", "tif", "tiff", "ai", "drw",
    "dxf", "eps", "ps", "svg", "cdr", "ico", "webp",
    # audio
    "mp3", "wma", "ogg", "wav", "ra", "aac", "mid", "au", "aiff",
    # video
    "3gp", "asf", "asx", "avi", "mov", "mp4", "mpg", "qt", "rm", "swf", "wmv", "m4a", "m4v",
    "flv", "webm",
    # office suites
    "xls", "xlsm", "xlsx", "xltm", "xltx", "potm", "potx", "ppt", "pptm", "pptx", "pps", "doc",
    "docb", "docm", "docx", "dotm", "dotx", "odt", "ods", "odg", "odp",
    # other
    "css", "pdf", "exe", "bin", "rss", "dmg", "iso", "apk", "jar", "sh", "rb", "js", "hta",
    "bat", "cpl", "msi", "msp", "py",
)
"""Scrapy's ``scrapy.linkextractors.IGNORED_EXTENSIONS`` (Scrapy 2.19), what its
LinkExtractor does not follow. Written out because this module runs in the
analysis workers, and importing anything of Scrapy's imports Scrapy and Twisted
(0.3 s of CPU of each worker's start-up, :mod:`archiver.analysisworker`);
``tests/discovery/test_discovery_units.py`` checks it is still Scrapy's list."""
# Scrapy lists the extensions without their dot, as its LinkExtractor adds it;
# without the dot, "/harbour-after-storm" would end in the "rm" extension.
SKIPPED_EXTENSIONS = frozenset(f".{extension}" for extension in IGNORED_EXTENSIONS)
_LAST_EXTENSIONS = frozenset(e for e in SKIPPED_EXTENSIONS if e.count(".") == 1)
_LONGER_EXTENSIONS = tuple(e for e in SKIPPED_EXTENSIONS if e.count(".") > 1)  # ".tar.gz"


RESOLVED_CACHE = 16_384
"""Resolutions and link checks a process remembers (a few MB): a site's pages
repeat their navigation, section and asset references, page after page."""
# References whose resolution depends on the base's scheme and host alone (RFC
# 3986 5.2.2: a path-absolute, network-path or absolute reference never reads
# the base's path or query), so one cache entry serves every page of a site.
_ORIGIN_ONLY = ("/", "http://", "https://")


def has_skipped_extension(url: str) -> bool:
    """Scrapy's ``url_has_any_extension(url, SKIPPED_EXTENSIONS)``, by one set lookup:
    its 91 ``endswith`` tests a link were half of link discovery's time on real pages."""
    path = urlparse(url).path.lower()
    return path[path.rfind("."):] in _LAST_EXTENSIONS or path.endswith(_LONGER_EXTENSIONS)


@lru_cache(maxsize=RESOLVED_CACHE)
def absolute_url(base: str, ref: str) -> str | None:
    """``ref`` resolved against ``base``, fragment dropped; None for a malformed one
    (``//[::1``: urljoin raises on an unclosed IPv6 bracket, found by fuzzing)."""
    try:
        return urldefrag(urljoin(base, ref))[0]
    except ValueError:
        return None


class Resolver:
    """A page's references resolved against its base, through :func:`absolute_url`'s
    cache keyed by the base's origin wherever the base's path cannot matter.

    Resolving was half of link discovery's CPU on real pages, and most of a
    page's references (``/section/x``, ``https://cdn.example/app.js``) are the
    ones its siblings had: keyed by the whole base URL they would never repeat.
    """

    def __init__(self, base: str) -> None:
        self.base = base
        try:
            parts = urlsplit(base)
        except ValueError:
            self.origin = base
        else:
            self.origin = f"{parts.scheme}://{parts.netloc}/" if parts.scheme else base

    def __call__(self, ref: str) -> str | None:
        return absolute_url(self.origin if ref.startswith(_ORIGIN_ONLY) else self.base, ref)


@lru_cache(maxsize=RESOLVED_CACHE)
def _followed(url: str) -> bool:
    """A page link the crawl may follow: http(s), not a file Scrapy skips."""
    return url.startswith(FOLLOWED_SCHEMES) and not has_skipped_extension(url)


def page_links(page: CapturedPage) -> list[str]:
    """Absolute, de-fragmented ``<a href>`` targets, in document order, once each.

    Each distinct ``href`` is resolved once: a real page repeats many (a third
    of the anchors on the fundus pages), and resolving was the other half."""
    resolve = Resolver(_base(page))
    hrefs = dict.fromkeys(href for value in _HREFS(page.tree) if (href := value.strip()))
    seen: dict[str, None] = {}
    for href in hrefs:
        url = resolve(href)
        if url and _followed(url):
            seen.setdefault(url, None)
    return list(seen)


FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/feed+json",
     "application/rdf+xml", "application/xml", "text/xml"}
)


def _base(page: CapturedPage) -> str:
    base = absolute_url(page.url, page.base_href) if page.base_href is not None else None
    return base or page.url


def feed_links(page: CapturedPage) -> list[str]:
    """Feeds the page announces with ``<link rel="alternate" type="application/rss+xml">``."""
    resolve = Resolver(_base(page))
    found: dict[str, None] = {}
    for link in page.tree.iterfind(".//link[@href][@rel]"):
        rels = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").split(";")[0].strip().lower()
        if "alternate" in rels and kind in FEED_TYPES:
            url = resolve(link.get("href").strip())
            if url and url.startswith(FOLLOWED_SCHEMES):
                found.setdefault(url, None)
    return list(found)


# What a browser loads to render a page, by element. Scrapy has no extractor for
# embedded resources (its LinkExtractor reads navigation links), hence this table.
REQUISITE_LINK_RELS = {"stylesheet": "stylesheet", "icon": "image", "apple-touch-icon": "image"}
PRELOAD_AS = {"style": "stylesheet", "script": "script", "image": "image", "font": "font",
              "video": "media", "audio": "media"}
REQUISITE_ELEMENTS = (
    ("script", "src", "script"),
    ("img", "src", "image"),
    ("img", "data-src", "image"),
    ("input", "src", "image"),  # an <input type="image"> alone: the one that shows a picture
    ("video", "poster", "image"),
    ("video", "src", "media"),
    ("audio", "src", "media"),
    ("source", "src", "media"),
    ("track", "src", "media"),
)
SRCSET_ELEMENTS = ("img", "source")
# Which rows of the tables each tag is read for: one walk of the tree, libxml2
# picking out the tags, collects every row's values, where a search of the whole
# tree for each row walked it fourteen times. With ``href`` values read by one
# XPath (no element handed to Python), a page's links and requisites took 3.5 ms,
# not 4.3 (2,601 corpus and benchmark pages, load 8; the same URLs in the same
# order on every one).
_ROWS_OF_TAG = {tag: [row for row, (named, _, _) in enumerate(REQUISITE_ELEMENTS) if named == tag]
                for tag, _, _ in REQUISITE_ELEMENTS}
_STYLE_VALUES = etree.XPath("//@style", smart_strings=False)
_HREFS = etree.XPath(".//a/@href", smart_strings=False)
CSS_URL = re.compile(
    r"""url\(\s*(?P<q>['"]?)(?P<url>[^'")\s]+)(?P=q)\s*\)|@import\s+(?P<q2>['"])(?P<imp>[^'"]+)(?P=q2)""",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Requisite:
    """A resource a page embeds: its absolute URL and what kind of thing it is."""

    url: str
    kind: str  # stylesheet, script, image, font, media


def _srcset_urls(value: str) -> list[str]:
    return [part.strip().split()[0] for part in value.split(",") if part.strip()]


def css_references(css: str, base: str) -> list[Requisite]:
    """``url(...)`` and ``@import`` targets of a stylesheet or ``style`` attribute."""
    return _css_references(css, Resolver(base))


_FONT = re.compile(r"\.(woff2?|ttf|otf|eot)$")
_CSS_STARTS = ("url(", "@import")
"""What each alternative of :data:`CSS_URL` begins with, lower-cased."""


def _css_urls(css: str, lowered: str) -> Iterator[re.Match[str]]:
    """``CSS_URL.finditer(css)``, the same matches, found from where they can start.

    The case-blind regex tried every position of a real page's 70 KB of inline
    CSS for its dozen ``url(`` (1.0 ms a page, fundus); ``str.find`` goes to each
    ``url(`` and ``@import`` of the lower-cased text at C speed, and the regex
    runs there, each match starting no earlier than the last one's end, as
    finditer's do. Where lower-casing moves offsets (U+0130, a dotted capital I,
    becomes two characters) or hides a start (the regex's ``i`` also matches
    U+0131, a dotless i), the regex scans the whole text as before."""
    if len(lowered) != len(css) or "\u0131" in lowered:
        yield from CSS_URL.finditer(css)
        return
    starts: list[int] = []
    for literal in _CSS_STARTS:
        found = lowered.find(literal)
        while found >= 0:
            starts.append(found)
            found = lowered.find(literal, found + 1)
    end = 0
    for start in sorted(starts):
        if start >= end and (match := CSS_URL.match(css, start)) is not None:
            end = match.end()
            yield match


def _css_references(css: str, resolve: Callable[[str], str | None]) -> list[Requisite]:
    lowered = css.lower()
    if "url(" not in lowered and "@import" not in lowered:
        # Most style blocks and attributes name no URL: a substring test skips the
        # case-blind regex's scan (0.9 ms of a real page's 70 KB of inline CSS).
        return []
    found: dict[str, Requisite] = {}
    for match in _css_urls(css, lowered):
        ref = match["url"] or match["imp"]
        if not ref or ref.startswith("data:"):
            continue
        url = resolve(ref)
        if url and url.startswith(FOLLOWED_SCHEMES):
            kind = "stylesheet" if match["imp"] or url.lower().endswith(".css") else (
                "font" if _FONT.search(url.lower()) else "image")
            found.setdefault(url, Requisite(url, kind))
    return list(found.values())


def page_requisites(page: CapturedPage) -> list[Requisite]:
    """Stylesheets, scripts, images, fonts and media the page embeds, once each."""
    resolve = Resolver(_base(page))
    found: dict[str, Requisite] = {}

    def add(ref: str | None, kind: str) -> None:
        ref = (ref or "").strip()
        if not ref or ref.startswith(("data:", "javascript:", "#")):
            return
        url = resolve(ref)
        if url and url.startswith(FOLLOWED_SCHEMES):
            found.setdefault(url, Requisite(url, kind))

    links: list[etree._Element] = []
    styles: list[etree._Element] = []
    values: list[list[str]] = [[] for _ in REQUISITE_ELEMENTS]
    srcsets: dict[str, list[str]] = {tag: [] for tag in SRCSET_ELEMENTS}
    for node in page.tree.iter("link", "style", *_ROWS_OF_TAG):
        tag = node.tag
        if tag == "link":
            links.append(node)
        elif tag == "style":
            styles.append(node)
        elif tag != "input" or node.get("type") == "image":
            for row in _ROWS_OF_TAG[tag]:
                value = node.get(REQUISITE_ELEMENTS[row][1])
                if value is not None:
                    values[row].append(value)
            if tag in srcsets and (srcset := node.get("srcset")) is not None:
                srcsets[tag].append(srcset)
    for link in links:
        if link.get("href") is None or link.get("rel") is None:
            continue
        rels = link.get("rel").lower().split()
        for rel in rels:
            if rel in REQUISITE_LINK_RELS:
                add(link.get("href"), REQUISITE_LINK_RELS[rel])
        if "preload" in rels and (link.get("as") or "").lower() in PRELOAD_AS:
            add(link.get("href"), PRELOAD_AS[link.get("as").lower()])
    for row, (_, _, kind) in enumerate(REQUISITE_ELEMENTS):
        for value in values[row]:
            add(value, kind)
    for srcset in (value for tag in SRCSET_ELEMENTS for value in srcsets[tag]):
        for ref in _srcset_urls(srcset):
            add(ref, "image")
    for style in styles:
        for requisite in _css_references(style.text or "", resolve):
            found.setdefault(requisite.url, requisite)
    for value in _STYLE_VALUES(page.tree):
        for requisite in _css_references(value, resolve):
            found.setdefault(requisite.url, requisite)
    return list(found.values())
