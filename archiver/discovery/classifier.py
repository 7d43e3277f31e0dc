"""Is a fetched page an article? Decided from what the publisher says about it.

Home, section, tag, author and login pages are archived but not emitted as
items. Publishers mark articles in structured data (schema.org ``*Article``
types, ``og:type=article``) far more reliably than any URL rule can.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from functools import cache
from urllib.parse import unquote, urlsplit

from archiver.languages import words
from archiver.page import CapturedPage, json_ld_types

ARTICLE_TYPES = frozenset(
    {
        "article", "newsarticle", "analysisnewsarticle", "opinionnewsarticle",
        "reviewnewsarticle", "backgroundnewsarticle", "askpublicnewsarticle", "blogposting",
        "liveblogposting", "report", "scholarlyarticle", "socialmediaposting",
        "reportagenewsarticle",
    }
)


def is_article(page: CapturedPage) -> bool:
    if any(json_ld_types(node) & ARTICLE_TYPES for node in page.json_ld):
        return True
    if any(value.lower() == "article" for value in page.meta.get("og:type", [])):
        return True
    return any(
        (node.get("typeof") or node.get("itemtype") or "").rsplit("/", 1)[-1].lower()
        in ARTICLE_TYPES
        for node in page.tree.xpath("//*[@itemtype or @typeof]")
    )


@dataclass(frozen=True)
class ArticlePages:
    """A site's rule for which fetched pages are articles: its config's URL
    patterns (``deny`` first, then ``allow``), then, with ``classifier``, the
    page itself (:func:`is_article`).

    It goes to the analysis workers with every page (the crawl's ``classify``),
    so it holds only the compiled patterns and the flag: a site scope's bound
    method took the scope and its pydantic ``SiteConfig`` along, and unpickling
    the first one made each worker import ``archiver.sites.config`` (pydantic,
    cssselect), 0.14 s of CPU a worker before its first page.
    """

    allow: tuple[re.Pattern[str], ...] = ()
    deny: tuple[re.Pattern[str], ...] = ()
    classifier: bool = True

    def __call__(self, page: CapturedPage) -> bool:
        if any(p.search(page.url) for p in self.deny):
            return False
        if any(p.search(page.url) for p in self.allow):
            return True
        return self.classifier and is_article(page)


# Before a page is fetched only its URL is known. News CMSs put the date or a
# numeric id and a long slug into article URLs, and keep hub pages (tags,
# authors, sections, accounts) under recognisable path segments. The URL rule
# only orders and scopes the crawl; whether a page is emitted is decided by
# ``is_article`` on the fetched page.
@cache
def hub_segments() -> frozenset[str]:
    """The hub segments of every language: ``hub_words`` in ``archiver/languages/``,
    read when a URL is first judged, not when the module is imported (every
    process that analyses a page imports it, and reading the 44 language files
    was 90 ms of its start-up; a worker's detector reads them only if a page
    reaches it)."""
    return frozenset(words("hub_words"))


DATED_PATH = re.compile(
    r"/(?P<y>(?:19|20)\d\d)[/-](?P<m>0[1-9]|1[0-2])(?:[/-](?P<d>0[1-9]|[12]\d|3[01]))?(?:/|$|-)"
)
COMPACT_DATE = re.compile(
    r"(?<!\d)(?P<y>20\d\d)(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])(?!\d)"
)
SLUG_SEPARATORS = re.compile(r"[-_]+")
ARTICLE_ID = re.compile(r"(?<![a-z])\d{6,}(?![a-z])")
MIN_SLUG_WORDS = 4


def url_date(url: str) -> date | None:
    """The publication date a URL's path carries (``/2026/11/24/``, ``-20261124``), if any.

    A path with a month and no day (``/2026/11/``) gives the month's last day:
    the date is used to skip old articles, never to skip one that may be new.
    """
    path = urlsplit(url).path
    match = DATED_PATH.search(path) or COMPACT_DATE.search(path)
    if match is None:
        return None
    year, month = int(match["y"]), int(match["m"])
    try:
        return date(year, month, int(match["d"] or monthrange(year, month)[1]))
    except ValueError:
        return None


def url_looks_like_article(url: str) -> bool:
    """Does the URL alone look like an article's: a dated path or an id, or a long slug?"""
    path = unquote(urlsplit(url).path).lower()
    segments = [s for s in path.split("/") if s]
    hubs = hub_segments()
    if not segments or any(s in hubs for s in segments):
        return False
    last = segments[-1].rsplit(".", 1)[0]
    words = [w for w in SLUG_SEPARATORS.split(last) if w and not w.isdigit()]
    if url_date(url) is not None and (len(words) >= 2 or ARTICLE_ID.search(path)):
        return True
    if ARTICLE_ID.search(path) and len(words) >= 2:
        return True
    return len(words) >= MIN_SLUG_WORDS
