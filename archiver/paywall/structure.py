"""Walls seen in the page's structure, whatever its language.

Phrase lists cover a few dozen languages and miss new wording; these signals
read only markup and character statistics:

* ``gate.empty_placeholder``: a paywall container after the article's last line
  that holds (almost) no text: the wall a script fills in, after a teaser;
* ``gate.wall_form_after_body``: a visible form asking for an e-mail address
  or a password right after the article: a login or registration wall (a form
  the page hides, inline or by its stylesheet, is a login box kept for later);
* ``offer.account`` / ``offer.subscription``: what those forms ask for (an
  e-mail address alone: an account; a card number: a payment), for the kind;
* ``gate.stylesheet_hidden_body``: the article's last line sits in an element
  that a rule of the page's own ``<style>`` hides or blurs (no inline style),
  or, re-analysed from the archive, a rule of a stylesheet the page links;
* ``text.scrambled``: the article's letters do not follow the letter pairs of
  the page's own readable text (menus, headlines, captions): the text was sent
  letter-shifted, shuffled or as filler, to be decoded only for subscribers;
  or its Latin letters are as evenly spread as random letters (natural
  languages stay under about 4.3 bits a letter, random letters reach 4.7).
  Dictionary-free, so it works in any alphabetic script; CJK text, whose
  character pairs are too sparse for the statistics, is left out.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from itertools import pairwise

from lxml import etree

from archiver.paywall.data import load
from archiver.paywall.facts import PageFacts
from archiver.paywall.regions import describe, gate_words, is_hidden
from archiver.paywall.response import wall_url
from archiver.paywall.verdict import Signal
from archiver.paywall.weights import limits, signal

# How many elements after the article's last line are looked at: a wall stands
# right after the teaser; further down come related stories and the footer.
_FOLLOWING_ELEMENTS = 150
_MAX_PLACEHOLDER_WORDS = 2
_WALL_INPUTS = frozenset({"email", "password"})
# Form fields for a card: autocomplete="cc-number", name="card_number"...
_PAYMENT_FIELD = re.compile(r"\bcc-|card|iban", re.IGNORECASE)
_LETTERS = re.compile(r"[^\W\d_]+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
# Letters needed on each side for bigram statistics to mean anything.
_MIN_LETTERS = 400
# Letters enough for the pair statistics of each sample; longer pages are cut
# to this (the statistics settle long before, the counting does not).
_SAMPLE_CHARS = 20_000


def _last_line_element(facts: PageFacts) -> etree._Element | None:
    offset = facts.text.last_line_offset
    return None if offset is None else facts.text.element_at(offset)


def _following(element: etree._Element) -> list[etree._Element]:
    """The elements after ``element`` in document order (not its descendants)."""
    found: list[etree._Element] = []
    for node in element.itersiblings():
        if isinstance(node.tag, str):
            found.append(node)
            found.extend(d for d in node.iterdescendants() if isinstance(d.tag, str))
        if len(found) >= _FOLLOWING_ELEMENTS:
            return found[:_FOLLOWING_ELEMENTS]
    parent = element.getparent()
    if parent is not None and parent.tag not in ("body", "html"):
        found.extend(_following(parent)[:_FOLLOWING_ELEMENTS - len(found)])
    return found


def _hidden(facts: PageFacts, node: etree._Element) -> bool:
    """Whether ``node`` is hidden inline or by a class the page's stylesheet hides."""
    return is_hidden(node) or _stylesheet_hidden(facts, node) is not None


def _field_kind(node: etree._Element) -> str | None:
    """``email``, ``password`` or ``payment`` for a form field that asks for one."""
    kind = (node.get("type") or "").lower()
    if kind in _WALL_INPUTS:
        return kind
    named = f"{node.get('autocomplete') or ''} {node.get('name') or ''} {node.get('id') or ''}"
    return "payment" if _PAYMENT_FIELD.search(named) else None


def _after_body(facts: PageFacts) -> list[Signal]:
    """Empty placeholders and wall forms after the article's last line; what
    the forms ask for says what the wall wants (``scoring.wall_kind``): a card
    number, a payment (``offer.subscription``); an e-mail address alone, or a
    form sent to a registration page, a free account (``offer.account``). A
    form the page hides (a login box kept for later) asks nothing yet."""
    element = _last_line_element(facts)
    if element is None:
        return []
    signals: list[Signal] = []
    placeholder = False
    fields: dict[etree._Element | None, set[str]] = {}
    for node in _following(element):
        words = None if placeholder else gate_words(node)
        if words is not None and words <= _MAX_PLACEHOLDER_WORDS:
            placeholder = True
            signals.append(signal("gate.empty_placeholder",
                                  f"empty {describe(node)} after the article"))
        if node.tag == "input":
            kind = _field_kind(node)
            if kind and facts.regions.region(node)[0] not in ("chrome", "hidden") and not (
                    _hidden(facts, node)):
                form = next(node.iterancestors("form"), None)
                fields.setdefault(form, set()).add(kind)
    asked = set().union(*fields.values()) if fields else set()
    if asked & _WALL_INPUTS:
        kind = "password" if "password" in asked else "email"
        signals.append(signal("gate.wall_form_after_body", f"{kind} field after the article"))
    if "payment" in asked:
        signals.append(signal("offer.subscription", "a payment field after the article"))
    account = [form for form, kinds in fields.items() if kinds == {"email"} or (
        form is not None and (wall_url(form.get("action") or "") or ("",))[0] == "registration")]
    if account:
        signals.append(signal("offer.account", "a form asking for an e-mail address alone, "
                                               "or sent to a registration page, after the article"))
    return signals


def _stylesheet_hidden(facts: PageFacts,
                       element: etree._Element) -> tuple[str, etree._Element, str] | None:
    """The class of ``element`` or an ancestor that a stylesheet of the page
    hides, with the element that carries it and where the hiding rule is
    (:meth:`PageFacts.stylesheet_hides`)."""
    for node in (element, *element.iterancestors()):
        for name in (node.get("class") or "").split():
            source = facts.stylesheet_hides(name)
            if source is not None:
                return name, node, source
    return None


def _is_wall_note(node: etree._Element) -> bool:
    """Whether a hidden element is the wall's own note rather than article text:
    a paywall container (``layout.yaml`` gate tokens) holding fewer words than
    hidden article text (``hidden_text_words``). iHNed's archive (ihned.cz)
    keeps 'Klikli jste na článek, který patří do předplatitelské sekce' in a
    stylesheet-hidden ``div.paywall-note2`` of 5 words, which the extractor
    takes as the teaser's last line; MarketingProfs' stylesheet-hidden
    ``div.paywall`` holds the 1,352 words of the article, a soft wall."""
    words = gate_words(node)
    return words is not None and words < limits()["hidden_text_words"]


def _stylesheet_hidden_body(facts: PageFacts) -> list[Signal]:
    """The article's last line hidden by the page's stylesheet, unless what is
    hidden is the wall's own note (:func:`_is_wall_note`): a soft wall's text
    is hidden, a hard wall's note may be too, shown by its script."""
    element = _last_line_element(facts)
    found = None if element is None else _stylesheet_hidden(facts, element)
    if found is None or _is_wall_note(found[1]):
        return []
    name, _, source = found
    return [signal("gate.stylesheet_hidden_body",
                   f"the article's last line is in .{name}, hidden by {source}")]


def _bigrams(text: str) -> Counter[tuple[str, str]]:
    """Letter pairs of ``text``'s words, each word padded with a space: counted
    by one C-level pass over the joined words (a Python loop per word took a
    quarter of the detector's time on fundus)."""
    padded = f" {' '.join(_LETTERS.findall(text.lower()))} "
    return Counter(pairwise(padded)) if len(padded) > 2 else Counter()


def _mean_log_probability(sample: Counter[tuple[str, str]],
                          model: Counter[tuple[str, str]]) -> float:
    """Mean log probability of ``sample``'s letter pairs under ``model``'s counts
    (add-one smoothing over the pairs either has seen). ``model.get``, not
    ``model[pair]``: a Counter answers a missing key through a Python-level
    ``__missing__``; with a list, not a generator, and the vocabulary counted
    from the sample's new pairs alone, this took 0.25 ms a page, not 0.36
    (same sums, same order: the same float)."""
    vocabulary = len(model) + len(sample.keys() - model.keys())
    total = sum(model.values()) + vocabulary
    count = sum(sample.values())
    seen = model.get
    log = math.log
    return sum([n * log((seen(pair, 0) + 1) / total) for pair, n in sample.items()]) / count


def _letter_entropy(text: str) -> float:
    """Bits per letter of the ASCII letters of ``text``."""
    counted = Counter(text.lower())
    letters = {c: n for c, n in counted.items() if "a" <= c <= "z"}
    total = sum(letters.values())
    if total < _MIN_LETTERS:
        return 0.0
    return -sum(n / total * math.log2(n / total) for n in letters.values())


def _scrambled(facts: PageFacts) -> list[Signal]:
    """The article's letter pairs against the rest of the page's: normal text
    scores about as well as one half of the page's other text does under the
    other half; shifted or shuffled letters score far worse. The article's
    second half is scored on its own too: a soft wall often sends a readable
    teaser and scrambles only the rest, which halves the whole text's gap
    (synthetic walls: 60 of 96 letter-shifted rests found by the whole text,
    81 with its second half; the real corpus's free tuning pages score at most
    0.62 nats either way, fundus' complete articles 0.64, the threshold 1.0)."""
    span = facts.text.body_span
    article = facts.article.text
    if span is None or len(article) < _MIN_LETTERS or len(_CJK.findall(article)) * 4 > len(article):
        return []
    rules = load("weights")["structure"]
    entropy = _letter_entropy(article)
    if entropy >= float(rules["scrambled_entropy"]):
        return [signal("text.scrambled",
                       f"the article's letters carry {entropy:.2f} bits each, as random "
                       f"letters do: scrambled text")]
    rest = facts.text.text[:span[0]] + " " + facts.text.text[span[1]:]
    if len(rest) < 2 * _MIN_LETTERS:
        return []
    half = min(len(rest) // 2, _SAMPLE_CHARS)
    first, second = _bigrams(rest[:half]), _bigrams(rest[-half:])
    if not first or not second:
        return []
    baseline = _mean_log_probability(second, first)
    # The pages' counts are all positive, so updating a copy makes what
    # ``first + second`` does (same counts, same order) without its filter pass.
    model = first.copy()
    model.update(second)
    tail = article[len(article) // 2:][-2 * _SAMPLE_CHARS:]
    for part, sample in (("letter pairs", article[:2 * _SAMPLE_CHARS]),
                         ("second half's letter pairs", tail)):
        if len(sample) < _MIN_LETTERS:
            continue
        gap = baseline - _mean_log_probability(_bigrams(sample), model)
        if gap >= float(rules["scrambled_gap"]):
            return [signal("text.scrambled",
                           f"the article's {part} score {gap:.1f} nats below the page's "
                           f"own text: shifted, shuffled or filler text")]
    return []


def find_structure(facts: PageFacts) -> list[Signal]:
    """The language-free ``gate.*`` and ``text.*`` signals of a page."""
    return _after_body(facts) + _stylesheet_hidden_body(facts) + _scrambled(facts)
