"""Gate elements: where the page itself shows (or hides) the wall.

Three kinds of evidence, all read from the capture:

* the parts the publisher declares gated (``hasPart.cssSelector``): present but
  hidden means the text was sent and hidden client-side (a soft wall); absent
  while the text is short means the server sent only the teaser (a hard wall);
* the site config's own gate selectors;
* a non-empty paywall container (``layout.yaml`` gate tokens) or a link to a
  subscribe/login page right after the body, and article text that sits in a
  hidden, blurred or faded element.
"""

from __future__ import annotations

from functools import cache

from cssselect import HTMLTranslator, SelectorError
from lxml import etree

from archiver.paywall.data import load
from archiver.paywall.facts import PageFacts
from archiver.paywall.regions import describe, is_chrome, is_hidden
from archiver.paywall.response import wall_url
from archiver.paywall.verdict import Signal
from archiver.paywall.weights import limits, signal
from archiver.words import count_words

_MIN_GATE_WORDS = 3
# What a link to each kind of wall page says the wall asks for (``scoring.wall_kind``).
_OFFER_OF_URL = {"registration": "offer.account", "paid": "offer.subscription"}


@cache
def _xpath(selector: str) -> etree.XPath | None:
    """A CSS selector compiled once; ``None`` for selectors cssselect rejects."""
    try:
        return etree.XPath(HTMLTranslator().css_to_xpath(selector))
    except (SelectorError, etree.XPathSyntaxError):
        return None


def _select(facts: PageFacts, selector: str) -> list[etree._Element]:
    compiled = _xpath(selector.strip())
    return list(compiled(facts.tree)) if compiled is not None else []


def _declared_parts(facts: PageFacts, selectors: list[str], short: bool) -> list[Signal]:
    for selector in selectors:
        elements = _select(facts, selector)
        hidden = next((el for el in elements if is_hidden(el)), None)
        if hidden is not None:
            return [signal("gate.declared_part_hidden",
                           f"hasPart {selector!r} is in the page but hidden")]
        if not elements and short:
            return [signal("gate.declared_part_missing",
                           f"hasPart {selector!r} is not in the page and the text is short")]
    return []


def _site_selectors(facts: PageFacts, selectors: list[str]) -> list[Signal]:
    for selector in selectors:
        for element in _select(facts, selector):
            if count_words(element.text_content()) >= _MIN_GATE_WORDS:
                return [signal("gate.site_selector", f"site gate selector {selector!r}")]
    return []


def _card(container: etree._Element, words: int) -> bool:
    """Whether a paywall container is mostly links to other pages: the card of
    another (paywalled) story, classed for its badge (Sermitsiaq's
    ``article.paywall`` teasers under the article), not a wall."""
    linked = sum(count_words(link.text_content()) for link in container.iter("a")
                 if _other_page(link.get("href") or ""))
    return linked * 2 >= words


def _other_page(href: str) -> bool:
    """Whether a link leads to another page that is no wall page: not to a
    subscribe or login page, nor to a place in this one (iHNed's hard wall
    box links "Už mám předplatné" to its own ``#login-top-form``)."""
    return bool(href) and not href.startswith(("#", "javascript:")) and not wall_url(href)


def _containers_after_body(facts: PageFacts) -> list[Signal]:
    """A visible, non-empty paywall container holding text at the body's end or
    just after it (found from the text there, not by scanning the tree), that
    is neither the article itself nor another story's card."""
    for container in facts.containers_at_body_end("gate"):
        if is_hidden(container) or facts.part_of_article(container):
            continue
        words = count_words(container.text_content())
        if words < _MIN_GATE_WORDS or _card(container, words):
            continue
        return [signal("gate.element_after_body",
                       f"{describe(container)} at the end of the body")]
    return []


def _hidden_text_after_body(facts: PageFacts, visible: int) -> list[Signal]:
    """A hidden element at the body's end holding article-length text (at
    least half as much again as the reader sees): the rest of the article was
    sent and is kept from the reader, a soft wall."""
    rules = limits()
    minimum = max(rules["hidden_text_words"], rules["hidden_text_ratio"] * visible)
    for container in facts.containers_at_body_end("hidden"):
        if is_chrome(container):
            continue
        words = count_words(container.text_content())
        if words >= minimum:
            return [signal("gate.hidden_text_after_body",
                           f"{words} words hidden in {describe(container)} "
                           f"at the end of the body")]
    return []


def _wall_links_after_body(facts: PageFacts) -> list[Signal]:
    """Links to subscribe, login or registration pages right after the body:
    outside any container, the call to action of a wall whose words we may not
    know (``gate.wall_link_after_body``, the first one); outside chrome and
    hidden text, in a paywall box too, where they lead says
    what the wall asks for: a registration page, a free account
    (``offer.account``); a subscribe or offers page, a payment
    (``offer.subscription``); a login page, neither."""
    signals: list[Signal] = []
    offers: set[str] = set()
    for owner in facts.text.elements_at_body_end():
        link = owner if owner.tag == "a" else owner.getparent()
        if link is None or link.tag != "a":
            continue
        region = facts.regions.region(link)[0]
        href = link.get("href") or ""
        wall = wall_url(href) if region not in ("chrome", "hidden") else None
        if not wall:
            continue
        if region is None and not any(s.name == "gate.wall_link_after_body" for s in signals):
            signals.append(signal("gate.wall_link_after_body",
                                  f"link {href!r} ({wall[0]} page) after the body"))
        offer = _OFFER_OF_URL.get(wall[0])
        if offer and offer not in offers:
            offers.add(offer)
            signals.append(signal(offer, f"link {href!r} to a {wall[0]} page after the body"))
    return signals


def _hidden_body(facts: PageFacts) -> list[Signal]:
    offset = facts.text.last_line_offset
    if offset is None:
        return []
    element = facts.text.element_at(offset)
    if not is_hidden(element):
        return []
    return [signal("gate.hidden_body",
                   f"the article's last line is in a hidden element {describe(element)}")]


def find_gates(facts: PageFacts, declared_selectors: list[str], site_selectors: list[str],
               visible: int, short: bool) -> list[Signal]:
    """``gate.*`` signals for an extracted text of ``visible`` words; ``short``
    says it looks like a teaser."""
    return (
        _declared_parts(facts, declared_selectors, short)
        + _site_selectors(facts, site_selectors)
        + _containers_after_body(facts)
        + _wall_links_after_body(facts)
        + _hidden_text_after_body(facts, visible)
        + _hidden_body(facts)
    )


def find_hidden_behind_wall(signals: list[Signal]) -> list[Signal]:
    """``gate.hidden_behind_wall``: article text the page hides at the body's
    end (``weights.yaml`` ``hidden_behind_wall.hidden``: the last line or a
    block of text hidden by a style, a class or the page's stylesheet, or a
    declared gated part present but hidden) with a visible paywall box standing
    there (``gate.element_after_body``): the text was sent and is kept from the
    reader by a wall, a soft wall by definition. Either alone is common on
    complete articles (themes hide captions and speech widgets; publishers
    leave empty or closed paywall boxes on free pages); together they are
    decisive and no fitted weight (``not_fitted``), as
    ``gate.declared_teaser`` is. MarketingProfs ships its 1,352-word article
    in a ``div.paywall`` its stylesheet sets to ``display: none`` and its
    sign-up box ``div.paywall-box`` after it, and the model gave the pair
    0.57. Measured (Dec 2026, session 11, nested 10-fold CV by site on the
    tuning split, fundus and the hand-made pages): together on 2 real walls,
    5 hand-made ones and no free page; one wall more found out of fold (26/36),
    no false alarm more (0 on the tuning split, fundus' 1 unchanged)."""
    rules = load("weights")["hidden_behind_wall"]
    hidden = next((s for s in signals if s.weight > 0 and s.name in rules["hidden"]), None)
    wall = next((s for s in signals if s.weight > 0 and s.name in rules["wall"]), None)
    if hidden is None or wall is None:
        return []
    return [signal("gate.hidden_behind_wall",
                   f"{hidden.name}: {hidden.evidence}; {wall.name}: {wall.evidence}")]
