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

from archiver.article import ArticleText
from archiver.page import CapturedPage
from archiver.paywall.regions import Region, Regions, hides
from archiver.paywall.text import PageText
from archiver.paywall.weights import limits
from archiver.words import count_words

# A container holding this share of the article's words wraps the article.
_WRAPPER_SHARE = 0.5
# A paragraph whose first this many characters are in the article is one of its own.
_PARAGRAPH_CHARS = 60
# How a rule quoted in evidence is cut: its selectors and declarations, not a sheet.
_RULE_CHARS = 160
PAGE_STYLE = "the page's stylesheet"
"""Where :meth:`PageFacts.stylesheet_hides` found the rule: the page's own ``<style>``."""
_ARC_KEY = '"content_restrictions"'
_ARC_CODE = re.compile(_ARC_KEY + r'\s*:\s*\{[^{}]*?"content_code"\s*:\s*"([\w-]+)"')


class PageFacts:
    """One capture seen through the questions the paywall rules ask."""

    def __init__(self, page: CapturedPage, article: ArticleText) -> None:
        self.page = page
        self.article = article
        self.tree = page.tree
        self.text = PageText(page.tree, article.text)
        self.regions = Regions()
        self._article_parts: dict[etree._Element, bool] = {}
        self._stylesheet_answers: dict[str, str | None] = {}

    @cached_property
    def _article_flat(self) -> str:
        return " ".join(self.article.text.split())

    def part_of_article(self, container: etree._Element) -> bool:
        """Whether a paywall-classed ``container`` is the article itself, not a
        wall box: a wrapper holding most of a whole-length article, which
        publishers class ``paywall`` or ``poool-content`` for their scripts
        around free articles too (Rolling Stone's ``div.pmc-paywall``,
        Euronews' ``poool-content``), or one of its paragraphs (Wired classes
        each paragraph a meter may cut ``p.paywall``).
        A teaser (under ``short_text_words``) is never so excused: there the
        paywall container is the wall."""
        if container not in self._article_parts:
            words = self.article.word_count
            text = " ".join(container.text_content().split())
            self._article_parts[container] = words >= limits()["short_text_words"] and (
                count_words(text) >= _WRAPPER_SHARE * words
                or (container.tag == "p" and len(text) >= _PARAGRAPH_CHARS
                    and text[:_PARAGRAPH_CHARS] in self._article_flat))
        return self._article_parts[container]

    def containers_at_body_end(self, region: Region) -> list[etree._Element]:
        """The distinct ``region`` containers (say, paywall boxes) holding text at
        the body's end or just after it, in page order."""
        return self.regions.containers(self.text.elements_at_body_end(), region)

    @cached_property
    def script_sources(self) -> list[str]:
        return [src for src in self.tree.xpath("//script/@src", smart_strings=False) if src]

    @cached_property
    def inline_scripts(self) -> str:
        """All inline script text, joined: where vendors' globals and Arc's
        ``content_restrictions`` appear."""
        return "\n".join(self.tree.xpath("//script[not(@src)]/text()", smart_strings=False))

    @cached_property
    def class_names(self) -> str:
        """Every ``class`` and ``id`` value on the page, joined."""
        return " ".join(self.tree.xpath("//@class | //@id", smart_strings=False))

    @cached_property
    def _style_text(self) -> str:
        return "\n".join(self.tree.xpath("//style/text()", smart_strings=False))

    def stylesheet_hides(self, name: str) -> str | None:
        """Which stylesheet has a plain ``.name { ... }`` rule that hides, blurs
        or fades what it styles: text a reader does not see though no inline
        style says so. :data:`PAGE_STYLE` for the page's own ``<style>``; for a
        stylesheet the page links, read from the archive it was captured into
        (``page.stylesheets``, :mod:`archiver.toolkit.stylesheets`), the rule
        and the stylesheet's URL; ``None`` when no rule hides it. Asked for the
        few classes of one element's ancestors and found by plain substring
        search: pages inline hundreds of kilobytes of CSS, and splitting all of
        it into rules took a fifth of the detector's time on fundus."""
        if name not in self._stylesheet_answers:
            self._stylesheet_answers[name] = self._hiding_stylesheet(name)
        return self._stylesheet_answers[name]

    def _hiding_stylesheet(self, name: str) -> str | None:
        if _hiding_rule(self._style_text, name) is not None:
            return PAGE_STYLE
        linked = self.page.stylesheets
        for sheet in linked.sheets if linked is not None else ():
            rule = _hiding_rule(sheet.text, name)
            if rule is not None:
                return f"the rule {rule} of the stylesheet {sheet.url}"
        return None

    @cached_property
    def arc_content_codes(self) -> list[str]:
        """Arc's ``content_restrictions`` codes. Every match opens with the key,
        so the pages whose scripts lack it (most) are passed by ``in`` (C speed)
        rather than by the regex's own scan (0.45 ms a fundus page)."""
        if _ARC_KEY not in self.inline_scripts:
            return []
        return _ARC_CODE.findall(self.inline_scripts)

    def _mentions_microdata_free(self) -> bool:
        """Whether the HTML has ``itemprop="isAccessibleForFree"`` (in any case):
        a C-speed find of the value, then its attribute's name, spares the tree
        walk on the pages without one (JSON-LD says isAccessibleForFree too)."""
        html = self.page.html
        found = html.find("isAccessibleForFree")
        while found >= 0:
            if "itemprop" in html[max(0, found - 16):found].lower():
                return True
            found = html.find("isAccessibleForFree", found + 1)
        return False

    @cached_property
    def microdata_free_values(self) -> list[str]:
        """Values of ``itemprop="isAccessibleForFree"`` (``content`` or text).

        One XPath, not extruct's microdata extractor: on the shared corpus that
        takes 0.75 ms median and up to 22 ms a page, this 0.5 ms and 2.5 ms."""
        if not self._mentions_microdata_free():
            return []
        found = self.tree.xpath('//*[@itemprop="isAccessibleForFree"]')
        return [(el.get("content") or el.text_content() or "").strip() for el in found]


def _hiding_rule(css: str, name: str) -> str | None:
    """The first plain ``.name { ... }`` rule of ``css`` (one of its comma-separated
    selectors is exactly ``.name``) whose declarations hide, blur or fade, as written
    (cut to ``_RULE_CHARS``), or ``None``."""
    selector = f".{name}"
    # str.find is a C-speed scan to the class's few mentions; a regex per
    # class name (compiled anew: hundreds a page overflow re's cache) took
    # 15% of the detector's time on fundus
    found = css.find(selector)
    while found >= 0:
        end = found + len(selector)
        rest = css[end:end + 64].lstrip()
        if rest[:1] in (",", "{"):
            opened = css.find("{", found)
            start = _prelude_start(css, found)
            closed = css.find("}", opened)
            if closed > 0 and selector in (part.strip() for part in css[start:opened].split(
                    ",")) and hides(css[opened + 1:closed]) and not _in_conditional_media(
                    css, start):
                return " ".join(css[start:closed + 1].split())[:_RULE_CHARS]
        found = css.find(selector, end)
    return None


def _prelude_start(css: str, position: int, ends: str = "") -> int:
    """Where the selectors (or an at-rule's prelude) that ``position`` is in begin: after
    the block or declaration (``ends``: ``;`` too, for at-rules) before them, and after a
    comment there ("/* Paywall */ .locked{...}", "/* Tablets */ @media (...)", as
    unminified stylesheets name their sections): a comment is none of them."""
    start = max(css.rfind(end, 0, position) for end in "{}" + ends) + 1
    comment = css.rfind("*/", start, position)
    return start if comment < 0 else comment + 2


_CONDITIONAL_MEDIA = ("width", "height", "orientation", "aspect-ratio")
"""Media features a plain screen view need not match: a rule behind one hides a copy of
an element at some sizes only (Bootstrap's ``d-lg-none``, ``d-md-none``)."""


def _in_conditional_media(css: str, position: int) -> bool:
    """Whether the rule starting at ``position`` sits in an ``@media`` block for print
    only or for some screen sizes only: such a rule hides nothing from a reader on a
    screen. Linked stylesheets brought it in (``archiver reextract``): Bootstrap 4's
    ``bootstrap.min.css`` hides 20 of its 1,500 classes, ``d-print-none`` and the
    responsive ``d-*-none`` among them, none of them hidden text. Walks back over the
    blocks that enclose the rule, on a hiding rule's match only (rare)."""
    depth, index = 0, position
    while (index := max(css.rfind("{", 0, index), css.rfind("}", 0, index))) >= 0:
        if css[index] == "}":
            depth += 1
        elif depth:
            depth -= 1
        else:
            prelude = css[_prelude_start(css, index, ";"):index].strip().lower()
            if prelude.startswith("@media") and (
                    ("print" in prelude and "screen" not in prelude)
                    or any(feature in prelude for feature in _CONDITIONAL_MEDIA)):
                return True
    return False
