"""Is a fetched page an article? Decided from what the publisher says about it.

Home, section, tag, author and login pages are archived but not emitted as
items. Publishers mark articles in structured data (schema.org ``*Article``
types, ``og:type=article``) far more reliably than any URL rule can.
"""

from __future__ import annotations

from archiver.page import CapturedPage

ARTICLE_TYPES = frozenset(
    {
        "article", "newsarticle", "reportage", "analysisnewsarticle", "opinionnewsarticle",
        "reviewnewsarticle", "backgroundnewsarticle", "askpublicnewsarticle", "blogposting",
        "liveblogposting", "report", "scholarlyarticle", "socialmediaposting",
    }
)


def _jsonld_types(page: CapturedPage) -> set[str]:
    found: set[str] = set()
    stack = list(page.jsonld)
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            kind = node.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            found.update(k.lower() for k in kinds if isinstance(k, str))
            stack.extend(v for k, v in node.items() if k == "@graph")
    return found


def is_article(page: CapturedPage) -> bool:
    if _jsonld_types(page) & ARTICLE_TYPES:
        return True
    for meta in page.tree.iterfind(".//meta[@property='og:type']"):
        if (meta.get("content") or "").strip().lower() == "article":
            return True
    return any(
        (node.get("typeof") or node.get("itemtype") or "").rsplit("/", 1)[-1].lower()
        in ARTICLE_TYPES
        for node in page.tree.xpath("//*[@itemtype or @typeof]")
    )
