"""Walls seen in the page's structure, whatever its language.

Phrase lists cover a few dozen languages and miss new wording; these signals
read only markup and character statistics:

* ``gate.empty_placeholder``: a paywall container after the article's last line
  that holds (almost) no text: the wall a script fills in, after a teaser;
* ``gate.wall_form_after_body``: a form asking for an e-mail address or a
  password right after the article: a login or registration wall;
* ``gate.stylesheet_hidden_body``: the article's last line sits in an element
  that a rule of the page's own ``<style>`` hides or blurs (no inline style);
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

from lxml import etree

from archiver.paywall.data import load
from archiver.paywall.facts import PageFacts
from archiver.paywall.regions import describe, hides, names_a_gate
from archiver.paywall.text import count_words
from archiver.paywall.verdict import Signal
from archiver.paywall.weights import signal

# How many elements after the article's last line are looked at: a wall stands
# right after the teaser; further down come related stories and the footer.
_FOLLOWING_ELEMENTS = 150
_MAX_PLACEHOLDER_WORDS = 2
_WALL_INPUTS = frozenset({"email", "password"})
_STYLE_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_CLASS_SELECTOR = re.compile(r"^\s*\.([\w-]+)\s*$")
_LETTERS = re.compile(r"[^\W\d_]+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
# Letters needed on each side for bigram statistics to mean anything.
_MIN_LETTERS = 400


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


def _after_body(facts: PageFacts) -> list[Signal]:
    element = _last_line_element(facts)
    if element is None:
        return []
    signals: list[Signal] = []
    placeholder = form = False
    for node in _following(element):
        names = f"{node.get('class') or ''} {node.get('id') or ''}"
        if not placeholder and names.strip() and names_a_gate(names) and (
                count_words(node.text_content()) <= _MAX_PLACEHOLDER_WORDS):
            placeholder = True
            signals.append(signal("gate.empty_placeholder",
                                  f"empty {describe(node)} after the article"))
        if (not form and node.tag == "input"
                and (node.get("type") or "").lower() in _WALL_INPUTS
                and facts.regions.region(node)[0] != "chrome"):
            form = True
            signals.append(signal("gate.wall_form_after_body",
                                  f"{node.get('type')} field after the article"))
    return signals


def _stylesheet_hidden_classes(facts: PageFacts) -> set[str]:
    """Classes that a plain ``.name { ... }`` rule of the page's ``<style>``
    hides, blurs or fades."""
    hidden: set[str] = set()
    for css in facts.tree.xpath("//style/text()"):
        for selectors, declarations in _STYLE_RULE.findall(css):
            if not hides(declarations):
                continue
            for selector in selectors.split(","):
                match = _CLASS_SELECTOR.match(selector)
                if match:
                    hidden.add(match.group(1))
    return hidden


def _stylesheet_hidden_body(facts: PageFacts) -> list[Signal]:
    element = _last_line_element(facts)
    if element is None:
        return []
    hidden = _stylesheet_hidden_classes(facts)
    if not hidden:
        return []
    node: etree._Element | None = element
    while node is not None:
        found = hidden.intersection((node.get("class") or "").split())
        if found:
            return [signal("gate.stylesheet_hidden_body",
                           f"the article's last line is in .{sorted(found)[0]}, hidden by "
                           f"the page's stylesheet")]
        node = node.getparent()
    return []


def _bigrams(text: str) -> Counter[str]:
    pairs: Counter[str] = Counter()
    for word in _LETTERS.findall(text.lower()):
        padded = f" {word} "
        pairs.update(padded[i:i + 2] for i in range(len(padded) - 1))
    return pairs


def _mean_log_probability(sample: Counter[str], model: Counter[str]) -> float:
    """Mean log probability of ``sample``'s letter pairs under ``model``'s counts
    (add-one smoothing over the pairs either has seen)."""
    vocabulary = len(set(model) | set(sample))
    total = sum(model.values()) + vocabulary
    count = sum(sample.values())
    return sum(n * math.log((model[pair] + 1) / total) for pair, n in sample.items()) / count


def _letter_entropy(text: str) -> float:
    """Bits per letter of the ASCII letters of ``text``."""
    letters = Counter(c for c in text.lower() if "a" <= c <= "z")
    total = sum(letters.values())
    if total < _MIN_LETTERS:
        return 0.0
    return -sum(n / total * math.log2(n / total) for n in letters.values())


def _scrambled(facts: PageFacts) -> list[Signal]:
    """The article's letter pairs against the rest of the page's: normal text
    scores about as well as one half of the page's other text does under the
    other half; shifted or shuffled letters score far worse."""
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
    half = len(rest) // 2
    first, second = _bigrams(rest[:half]), _bigrams(rest[half:])
    if not first or not second:
        return []
    baseline = _mean_log_probability(second, first)
    score = _mean_log_probability(_bigrams(article), first + second)
    gap = baseline - score
    if gap < float(rules["scrambled_gap"]):
        return []
    return [signal("text.scrambled",
                   f"the article's letter pairs score {gap:.1f} nats below the page's "
                   f"own text: shifted, shuffled or filler text")]


def find_structure(facts: PageFacts) -> list[Signal]:
    """The language-free ``gate.*`` and ``text.*`` signals of a page."""
    return _after_body(facts) + _stylesheet_hidden_body(facts) + _scrambled(facts)
