"""Paywall and login-wall prompts, found in one pass and weighed by position.

Phrases come from the ``prompts`` of ``archiver/languages/<code>.yaml`` (adding
a language is adding a file) plus the site's own ``PaywallHints.prompt_phrases``. Where a phrase
stands decides what it means: right after the article body, or inside a paywall
container, it is a gate; the same words in a menu, a related-story card, a
newsletter box, a comment form or the footer are page chrome, and weigh zero.
Furniture tags (``aside``, ``form``, ``dialog``...) hold paywall boxes as often
as anything else, so a phrase in one counts only right after the body. A
paywall container inside a hidden one (``regions.is_hidden``: a ``modal fade``
a script opens when the meter runs out) is no gate either: TownNews BLOX ships
its registration and subscription walls closed on every page of stltoday.com.
Measured (Dec 2026, session 9, nested 10-fold CV by site, ``python -m
benchmarks.paywall``): false alarms 12 -> 9 of 1,900 free pages (tuning split
2 -> 0), the same 44 of 78 walls, fundus 1 -> 0 false alarms with its 4 walls.
"""

from __future__ import annotations

import re
from functools import cache

from archiver.languages import PROMPT_CATEGORIES, languages
from archiver.paywall.facts import PageFacts
from archiver.paywall.patterns import Finder, compile_groups, finders
from archiver.paywall.regions import describe, is_hidden
from archiver.paywall.verdict import Signal
from archiver.paywall.weights import prompt_weight

CATEGORIES = PROMPT_CATEGORIES
_EVIDENCE_CHARS = 160


@cache
def _phrases(site_phrases: tuple[str, ...]) -> dict[str, list[str]]:
    """All languages' phrases by category, the site's own under ``site``."""
    groups: dict[str, list[str]] = {category: [] for category in CATEGORIES}
    for language in languages():
        for category in CATEGORIES:
            groups[category].extend(language["prompts"].get(category) or [])
    groups["site"] = list(site_phrases)
    return groups


@cache
def _finders(site_phrases: tuple[str, ...]) -> list[Finder]:
    """Every phrase in a few tries, run over lower-cased text: plain tries with
    no groups and no IGNORECASE are several times faster than either."""
    phrases = _phrases(site_phrases)
    return finders(p for group in phrases.values() for p in group)


@cache
def _classifier(site_phrases: tuple[str, ...]) -> re.Pattern[str]:
    """Tells which category a found phrase belongs to (run on the hit only)."""
    return compile_groups(_phrases(site_phrases))


def _lower(text: str) -> str:
    """``text`` lower-cased without changing its length, so offsets still hold
    (``İ`` is the one letter whose lower case is two characters)."""
    return text.replace("İ", "i").lower()


def _whole_words(text: str, start: int, end: int) -> bool:
    """Latin-script phrases must not start or end inside a word ("abonnent" in
    "Abonnenten-Service" is fine, "subscribe" in "unsubscribe" is not)."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (
        (text[start].isascii() and text[start].isalpha() and before.isalnum())
        or (text[end - 1].isascii() and text[end - 1].isalpha() and after.isalnum())
    )


def find_prompts(facts: PageFacts, site_phrases: tuple[str, ...] = ()) -> list[Signal]:
    """One ``prompt.<category>`` signal per category: its strongest hit, with the
    matched words, where they stand and the element holding them. Categories
    whose only hits are chrome are kept with weight 0 so the audit shows them."""
    best: dict[str, Signal] = {}
    text = facts.text.text
    classifier = _classifier(site_phrases)
    lowered = _lower(text)
    matches = (m for finder in _finders(site_phrases) for m in finder.finditer(lowered))
    for match in matches:
        start, end = match.span()
        if not _whole_words(text, start, end):
            continue
        kind = classifier.fullmatch(match.group())
        category = (kind.lastgroup if kind else None) or "site"
        element = facts.text.element_at(start)
        region, container = facts.regions.region(element)
        if region == "gate" and container is not None and facts.part_of_article(container):
            region = None  # the article itself, classed for a script: where in it decides
        elif region == "gate" and container is not None and is_hidden(container):
            region = "hidden"  # a wall box kept hidden (a `modal fade`) until a script opens it
        where = region or facts.text.placement(start)
        if region == "furniture" and facts.text.placement(start) == "after_body":
            where = "after_body"
        weight = prompt_weight(category, where)
        name = f"prompt.{category}"
        current = best.get(name)
        if current is not None and current.weight >= weight:
            continue
        words = " ".join(text[start:end].split())[:_EVIDENCE_CHARS]
        best[name] = Signal(name, weight, f'"{words}" {where} in {describe(element)}')
    return list(best.values())
