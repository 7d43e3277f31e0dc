"""The page's visible text as one string, mapped back to its elements.

:class:`PageText` joins the visible text of ``<body>`` in one walk of the tree,
so one regex pass finds every prompt phrase and each hit can still be placed:
on an element (for its region) and relative to the extracted article (in the
body, right after it, elsewhere).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Literal

from lxml import etree

from archiver.paywall.data import load

Placement = Literal["body", "after_body", "elsewhere"]

_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "math"})
_MIN_LINE_CHARS = 12
_SNIPPET_CHARS = 40


@dataclass(frozen=True)
class _Windows:
    """What ``data/layout.yaml`` says about text: which tags separate words, and
    how far before the body's end and after it a wall is looked for."""

    block_tags: frozenset[str]
    after_body_window: int
    body_tail_chars: int


@cache
def _windows() -> _Windows:
    data = load("layout")
    return _Windows(frozenset(data["block_tags"]), int(data["after_body_window"]),
                    int(data["body_tail_chars"]))


def _placeable_lines(text: str) -> list[str]:
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return [line for line in lines if len(line) >= _MIN_LINE_CHARS]


class PageText:
    """The visible text of a page's ``<body>`` and where the article lies in it."""

    def __init__(self, tree: etree._Element, article_text: str) -> None:
        self.article_text = article_text
        parts: list[str] = []
        starts: list[int] = []
        owners: list[etree._Element] = []
        self._starts = starts
        self._owners = owners
        # Bound once: the loop below runs for every element's start and end.
        add_part, add_start, add_owner = parts.append, starts.append, owners.append
        length = 0
        blocks = _windows().block_tags
        body = tree.find("body")
        if body is not None:
            # A block element's start and end both separate words: "</div><a>"
            # must not glue the div's last word to the link's first. Nothing
            # inside a script, template, svg... is text a reader sees.
            # The walk skips those subtrees whole (an inline SVG icon can hold
            # hundreds of paths); their tails are still text. One loop with no
            # call per text run: this walk is a fifth of the detector's time.
            pending = False
            walk = etree.iterwalk(body, events=("start", "end"))
            skip_subtree = walk.skip_subtree
            for event, element in walk:
                tag = element.tag
                if tag.__class__ is not str:
                    tag = ""
                elif tag in blocks:
                    pending = True
                if event == "start":
                    if tag in _SKIPPED_TAGS:
                        skip_subtree()
                        continue
                    raw = element.text
                    if not raw or not tag:
                        continue
                    owner = element
                else:
                    raw = element.tail
                    if not raw or element is body:
                        continue
                    owner = element.getparent()
                    if owner is None:
                        continue
                words = raw.split()
                if words:
                    text = " ".join(words)
                    if pending or raw[0].isspace():
                        text = " " + text
                    if raw[-1].isspace():
                        text += " "
                    add_part(text)
                    add_start(length)
                    add_owner(owner)
                    length += len(text)
                pending = False
        self.text = "".join(parts)

    def element_at(self, offset: int) -> etree._Element:
        """The element whose own text holds the character at ``offset``."""
        return self._owners[max(bisect_right(self._starts, offset) - 1, 0)]

    def elements_at_body_end(self) -> list[etree._Element]:
        """The elements owning the text of the article's last lines and of what
        follows them (``layout.yaml`` windows), in page order: where a wall stands."""
        span = self.body_span
        if span is None:
            return []
        windows = _windows()
        first = max(bisect_right(self._starts, span[1] - windows.body_tail_chars) - 1, 0)
        last = bisect_right(self._starts, span[1] + windows.after_body_window)
        return self._owners[first:last]

    @cached_property
    def body_span(self) -> tuple[int, int] | None:
        """Where the extracted article lies in :attr:`text`, found from its first
        and last lines; ``None`` when the extractor's text cannot be placed."""
        located = self._located
        return (located[0], located[2]) if located else None

    @cached_property
    def last_line_offset(self) -> int | None:
        """Where the article's last placeable line starts in :attr:`text`."""
        located = self._located
        return located[1] if located else None

    @cached_property
    def _located(self) -> tuple[int, int, int] | None:
        """(first line, last line, end) offsets of the article in :attr:`text`."""
        lines = _placeable_lines(self.article_text)
        if not lines:
            return None
        start = next((found for line in lines[:3]
                      if (found := self.text.find(line[:_SNIPPET_CHARS])) >= 0), None)
        if start is None:
            return None
        for line in reversed(lines[-4:]):
            found = self.text.find(line[:_SNIPPET_CHARS], start)
            if found >= 0:
                return start, found, found + len(line)
        return None

    def holds_line(self, text: str) -> bool:
        """Whether the last line of ``text`` (say, ``articleBody``) is in the page."""
        lines = _placeable_lines(text)
        return bool(lines) and lines[-1][-_SNIPPET_CHARS:] in self.text

    def placement(self, offset: int) -> Placement:
        """Where a hit at ``offset`` stands relative to the article body."""
        span = self.body_span
        if span is None:
            return "elsewhere"
        start, end = span
        windows = _windows()
        if start <= offset < end - windows.body_tail_chars:
            return "body"
        if start <= offset < end + windows.after_body_window:
            return "after_body"
        return "elsewhere"
