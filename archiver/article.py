"""An article as the analysis found it: its text and the metadata its page declares.

A module of its own, apart from :mod:`archiver.extraction`, so that the code
which only stores and reuses articles (the catalog's pipeline, an unchanged
recrawl's reuse, the results coming back from the analysis workers) does not
import trafilatura and htmldate: the crawling process never extracts while
workers do, and importing them was 0.05-0.15 s of CPU of every crawl's
start-up, an unchanged recrawl's included.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from archiver.words import count_words


@dataclass
class ArticleText:
    title: str | None = None
    published: str | None = None
    """The publication day, ``YYYY-MM-DD``."""
    authors: list[str] = field(default_factory=list)
    language: str | None = None
    text: str = ""

    @cached_property
    def word_count(self) -> int:
        """Words as publishers count them (:func:`archiver.words.count_words`: a
        Chinese or Japanese character is one); counted by spaces before
        Dec 2026, which gave a whole Japanese article a dozen words."""
        return count_words(self.text)
