"""What part of the page an element belongs to: a wall, chrome, hidden text or furniture.

The same words mean a wall inside a paywall box and nothing in a menu or a
newsletter form, so every rule asks :class:`Regions` where a hit stands. How the
regions are told apart (tags, class/id tokens, styles) is ``data/layout.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal

from lxml import etree

from archiver.paywall.data import load
from archiver.words import count_words

Region = Literal["gate", "chrome", "hidden", "furniture"]
_PAGE_TAGS = frozenset({"body", "html"})


def _token_regex(tokens: list[str], tail: str = "", *,
                 camel_case: bool = False) -> re.Pattern[str]:
    """Tokens found at the start of a class-name word: ``nav`` in ``site-nav``
    and ``navbar``, not in ``canvas``; ``tail`` says what may not follow them.

    With ``camel_case`` a capital after a small letter starts a word too
    (``textFade``): the wall and hiding tokens. TIME's 2013 subscriber preview
    (tuning split) is a wall by its ``tcmPaywallSubscribeButton``. Chrome tokens keep
    the plain rule: read in camelCase they made the Daily Memphian's
    ``EmailSignup`` wall box chrome, and its registration wall was lost."""
    alternatives = "|".join(re.escape(token) for token in tokens)
    if not camel_case:
        return re.compile(f"(?<![a-z0-9])(?:{alternatives}){tail}", re.IGNORECASE)
    return re.compile(
        f"(?:(?<![A-Za-z0-9])|(?<=[a-z])(?=[A-Z]))(?i:(?:{alternatives}){tail})")


# A hiding token is a whole word of the class name, and not an entrance
# animation: ``fade``, ``text-fade`` and ``fade-out`` hide, ``fadeIn``,
# ``fade-in`` and ``bg-blurple`` do not (seen on the real corpus's tuning
# split: themes class their page wrappers ``fade-in animated3``).
_HIDING_TAIL = "(?![a-z]|-in(?![a-z]))"


@dataclass(frozen=True)
class _Layout:
    """The region rules of ``data/layout.yaml``, compiled."""

    chrome_tags: frozenset[str]
    furniture_tags: frozenset[str]
    content_tags: frozenset[str]
    chrome: re.Pattern[str]
    gate: re.Pattern[str]
    hidden: re.Pattern[str]
    hidden_classes: frozenset[str]
    hidden_style: re.Pattern[str]


@cache
def _layout() -> _Layout:
    """``data/layout.yaml`` compiled, once per process."""
    data = load("layout")
    return _Layout(
        chrome_tags=frozenset(data["chrome_tags"]),
        furniture_tags=frozenset(data["furniture_tags"]),
        content_tags=frozenset(data["content_tags"]),
        chrome=_token_regex(data["chrome_tokens"]),
        gate=_token_regex(data["gate_tokens"], camel_case=True),
        hidden=_token_regex(data["hidden_tokens"], _HIDING_TAIL, camel_case=True),
        hidden_classes=frozenset(data["hidden_classes"]),
        hidden_style=re.compile("|".join(data["hidden_styles"]), re.IGNORECASE),
    )


def describe(element: etree._Element) -> str:
    """A short selector-like name for evidence: ``<div.paywall.box>``."""
    names = (element.get("class") or element.get("id") or "").split()
    return f"<{element.tag}{'.' + '.'.join(names[:2]) if names else ''}>"


def names_of(element: etree._Element) -> str:
    """An element's class and id joined: the names the layout tokens are read from."""
    return f"{element.get('class') or ''} {element.get('id') or ''}"


def gate_words(element: etree._Element) -> int | None:
    """How many words ``element`` holds if it is a paywall container by its
    class or id (``layout.yaml`` gate tokens), else ``None``: an empty one is a
    placeholder its script fills, a short one the wall's own note."""
    names = names_of(element)
    if not names.strip() or not names_a_gate(names):
        return None
    return count_words(element.text_content())


def names_a_gate(names: str) -> bool:
    """Whether class/id ``names`` mark a paywall or login-wall container."""
    return _names_region(names) == "gate"


@lru_cache(maxsize=1 << 16)
def _names_region(names: str) -> Region | None:
    """``gate`` or ``chrome`` for class/id ``names``. Cached: pages repeat the same
    few hundred class strings over thousands of elements, and the token regexes,
    led by a lookbehind, cannot skip ahead (a fifth of detection on fundus)."""
    rules = _layout()
    if rules.gate.search(names):
        return "gate"
    if rules.chrome.search(names):
        return "chrome"
    return None


@lru_cache(maxsize=1 << 16)
def _hiding_classes(classes: str) -> bool:
    """Whether ``classes`` hold a hiding token (``fade``, ``blur``...), cached as above."""
    return bool(_layout().hidden.search(classes))


@lru_cache(maxsize=1 << 14)
def hides(declarations: str) -> bool:
    """Whether CSS ``declarations`` hide, blur or fade what they style."""
    return bool(_layout().hidden_style.search(declarations))


def _own_region(element: etree._Element) -> Region | None:
    rules = _layout()
    tag = element.tag if isinstance(element.tag, str) else ""
    style = element.get("style") or ""
    classes = element.get("class") or ""
    if element.get("hidden") is not None or (style and hides(style)) or (
            classes and not rules.hidden_classes.isdisjoint(classes.split())):
        return "hidden"
    names = names_of(element)
    if names.strip():
        region = _names_region(names)
        if region is not None:
            return region
    if tag in rules.chrome_tags:
        return "chrome"
    if tag in rules.furniture_tags:
        return "furniture"
    return None


def is_chrome(element: etree._Element) -> bool:
    """Whether ``element`` itself is page chrome by its tag or class/id (a menu
    drawer the page keeps hidden is still a menu, not hidden article text)."""
    rules = _layout()
    names = names_of(element)
    return element.tag in rules.chrome_tags or bool(names.strip() and rules.chrome.search(names))


def is_hidden(element: etree._Element) -> bool:
    """Whether ``element`` or an ancestor is hidden, blurred or faded out:
    text a reader of the page does not get to read. A hiding class token on
    ``<body>`` or ``<html>`` is a theme's switch (``sticky-menu-fade``,
    ``animation_fade``, ``transitions-fade``: 9 of the 16 free tuning pages
    whose last line read as hidden), never the wall: a page hidden whole shows
    nobody anything."""
    node: etree._Element | None = element
    while node is not None:
        if _own_region(node) == "hidden":
            return True
        names = node.get("class") or ""
        if names and node.tag not in _PAGE_TAGS and _hiding_classes(names):
            return True
        node = node.getparent()
    return False


class Regions:
    """The region of each element of one page, each ancestor chain walked once."""

    def __init__(self) -> None:
        self._found: dict[etree._Element, tuple[Region | None, etree._Element | None]] = {}

    def region(self, element: etree._Element) -> tuple[Region | None, etree._Element | None]:
        """``gate``, ``chrome`` or ``hidden`` from the nearest ancestor whose class,
        id, style or ``hidden`` attribute says so, with that ancestor; else
        ``furniture`` from the nearest furniture tag (``aside``, ``form``...), which
        paywall boxes use too; ``(None, None)`` for plain content."""
        # Each node of the chain with its own region, so the way back down reads
        # it rather than working it out again.
        chain: list[tuple[etree._Element, Region | None]] = []
        found: tuple[Region | None, etree._Element | None] = (None, None)
        node: etree._Element | None = element
        while node is not None:
            if node in self._found:
                found = self._found[node]
                break
            own = _own_region(node)
            if own is not None and own != "furniture":
                found = (own, node)
                if own == "chrome":
                    found = self._gate_above(node) or found
                self._found[node] = found
                break
            chain.append((node, own))
            if node.tag in _layout().content_tags:
                break
            node = node.getparent()
        for visited, own in reversed(chain):
            if found[0] is None and own == "furniture":
                found = ("furniture", visited)
            self._found[visited] = found
        return found

    def _gate_above(self, chrome: etree._Element) -> tuple[Region, etree._Element] | None:
        """The paywall container holding a chrome-classed box, if any: a wall's
        own card or sign-up box (MarketingProfs' ``div.card-box`` inside its
        ``div.paywall-box``) is the wall, not a related-story card."""
        node = chrome.getparent()
        while node is not None and node.tag not in _layout().content_tags:
            own = _own_region(node)
            if own == "gate":
                return ("gate", node)
            if own == "hidden":
                return None
            node = node.getparent()
        return None

    def containers(self, elements: Iterable[etree._Element],
                   region: Region) -> list[etree._Element]:
        """The distinct ``region`` containers (say, paywall boxes) of ``elements``,
        in their order."""
        found: list[etree._Element] = []
        for element in elements:
            kind, container = self.region(element)
            if kind == region and container is not None and container not in found:
                found.append(container)
        return found
