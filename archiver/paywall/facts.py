"""What the paywall rules read from one capture, each derived once.

:class:`PageFacts` bundles the page (its tree, JSON-LD and ``<meta>`` values,
owned by :class:`~archiver.page.CapturedPage`), the extracted article, the
page's visible text (:mod:`~archiver.paywall.text`) and its regions
(:mod:`~archiver.paywall.regions`), plus the script views the vendor and
declaration rules read. No rule walks or parses the document again.
"""

from __future__ import annotations

import re
from functools import cached_property

from lxml import etree

from archiver.extraction import ArticleText
from archiver.page import CapturedPage
from archiver.paywall.regions import Region, Regions
from archiver.paywall.text import PageText

_ARC_CODE = re.compile(r'"content_restrictions"\s*:\s*\{[^{}]*?"content_code"\s*:\s*"([\w-]+)"')


class PageFacts:
    """One capture seen through the questions the paywall rules ask."""

    def __init__(self, page: CapturedPage, article: ArticleText) -> None:
        self.page = page
        self.article = article
        self.tree = page.tree
        self.text = PageText(page.tree, article.text)
        self.regions = Regions()

    def containers_at_body_end(self, region: Region) -> list[etree._Element]:
        """The distinct ``region`` containers (say, paywall boxes) holding text at
        the body's end or just after it, in page order."""
        return self.regions.containers(self.text.elements_at_body_end(), region)

    @cached_property
    def script_sources(self) -> list[str]:
        return [src for src in self.tree.xpath("//script/@src") if src]

    @cached_property
    def inline_scripts(self) -> str:
        """All inline script text, joined: where vendors' globals and Arc's
        ``content_restrictions`` appear."""
        return "\n".join(self.tree.xpath("//script[not(@src)]/text()"))

    @cached_property
    def class_names(self) -> str:
        """Every ``class`` and ``id`` value on the page, joined."""
        return " ".join(self.tree.xpath("//@class | //@id"))

    @cached_property
    def arc_content_codes(self) -> list[str]:
        return _ARC_CODE.findall(self.inline_scripts)

    @cached_property
    def microdata_free_values(self) -> list[str]:
        """Values of ``itemprop="isAccessibleForFree"`` (``content`` or text).

        One XPath, not extruct's microdata extractor: on the shared corpus that
        takes 0.75 ms median and up to 22 ms a page, this 0.5 ms and 2.5 ms."""
        found = self.tree.xpath('//*[@itemprop="isAccessibleForFree"]')
        return [(el.get("content") or el.text_content() or "").strip() for el in found]
