"""The paywall detector's entry point: one capture in, one explained verdict out.

Every rule reads the same :class:`~archiver.paywall.facts.PageFacts`, built
once from the page's already-parsed tree and the already-extracted article, so
detection adds no parse and no second extraction to the crawl.
"""

from __future__ import annotations

from archiver.article import ArticleText
from archiver.extraction import extract_article
from archiver.page import CapturedPage
from archiver.paywall.declarations import read_declaration
from archiver.paywall.facts import PageFacts
from archiver.paywall.gates import find_gates, find_hidden_behind_wall
from archiver.paywall.hints import PaywallHints
from archiver.paywall.prompts import find_prompts
from archiver.paywall.rendered import RenderedFacts, find_rendered_signals
from archiver.paywall.response import find_response_signals
from archiver.paywall.scoring import score
from archiver.paywall.structure import find_structure
from archiver.paywall.truncation import (
    expected_words,
    find_declared_teaser,
    find_short_teaser,
    find_truncation,
)
from archiver.paywall.vendors import find_vendors
from archiver.paywall.verdict import PaywallVerdict, Signal


def detect_paywall(
    page: CapturedPage,
    article: ArticleText | None = None,
    hints: PaywallHints | None = None,
    rendered: RenderedFacts | None = None,
) -> PaywallVerdict:
    """Whether a reader without an account gets this article, and why we think so.

    ``article`` is the crawl's own extraction of the page (extracted here when
    omitted); ``hints`` adds a site config's selectors, phrases and declaration;
    ``rendered``, what Chromium showed once scripts ran (:mod:`.rendered`).
    Detection only reads the capture: it never fetches or bypasses anything.
    """
    hints = hints or PaywallHints()
    if article is None:
        article = extract_article(page)
    facts = PageFacts(page, article)
    declaration, declared_signals = read_declaration(facts, hints)
    vendors, vendor_signals = find_vendors(facts)
    visible = article.word_count
    expected = expected_words(facts)
    truncation = find_truncation(facts, visible, expected)
    short = any(s.name in ("truncation.word_count", "truncation.short_text") for s in truncation)
    signals: list[Signal] = [
        *find_response_signals(page),
        *find_prompts(facts, tuple(hints.prompt_phrases)),
        *find_gates(facts, declaration.gated_selectors, hints.gate_selectors, visible, short),
        *find_structure(facts),
        *truncation,
        *declared_signals,
        *vendor_signals,
        *find_rendered_signals(rendered, visible),
    ]
    signals += find_short_teaser(visible, signals)
    signals += find_declared_teaser(signals)
    signals += find_hidden_behind_wall(signals)
    result = score(signals)
    return PaywallVerdict(
        detected=result.detected,
        kind=result.kind,
        truncated=result.truncated,
        declared=declaration.value,
        confidence=result.confidence,
        vendors=vendors,
        visible_words=visible,
        expected_words=expected.words,
        signals=result.signals,
        stylesheets=None if page.stylesheets is None else page.stylesheets.record(),
    )
