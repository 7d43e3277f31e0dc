"""Article text and metadata from a captured page, via trafilatura.

trafilatura is the field's best-evaluated main-text extractor; we only map its
result onto our fields and fall back to the page's own ``<title>`` and
``<html lang>`` where it finds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import trafilatura

from archiver.page import CapturedPage


@dataclass
class ArticleText:
    title: str | None = None
    published: str | None = None
    authors: list[str] = field(default_factory=list)
    language: str | None = None
    text: str = ""

    @property
    def word_count(self) -> int:
        return len(self.text.split())


def extract_article(page: CapturedPage) -> ArticleText:
    """Extract the main text and metadata; never raises on bad HTML."""
    tree = page.tree
    document = trafilatura.bare_extraction(
        tree,
        url=page.url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        favor_precision=True,
        # Skips trafilatura's readability/jusText fallbacks: half the time per page,
        # and the same text on every page of the shared corpus we compared.
        fast=True,
    )
    html_lang = (tree.get("lang") or "").strip() or None
    page_title = (tree.findtext(".//title") or "").strip() or None
    if document is None:
        return ArticleText(title=page_title, language=html_lang)
    authors = [a.strip() for a in (document.author or "").split(";") if a.strip()]
    return ArticleText(
        title=document.title or page_title,
        published=document.date,
        authors=authors,
        language=document.language or html_lang,
        text=document.text or "",
    )
