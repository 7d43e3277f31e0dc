"""What publishers declare, in every spelling they use, and what it is not."""

from __future__ import annotations

import json

import pytest

from archiver.page import CapturedPage
from archiver.paywall import detect_paywall
from archiver.paywall.patterns import compile_groups

TEXT = "<p>" + "A full sentence of the article, long enough to read. " * 40 + "</p>"


def page(head: str = "", body: str = TEXT, url: str = "https://n.example/a") -> CapturedPage:
    return CapturedPage(url, f"<html><head>{head}</head><body><article>{body}</article>"
                             f"</body></html>".encode())


def ld(**fields) -> str:
    return f'<script type="application/ld+json">{json.dumps(fields)}</script>'


@pytest.mark.parametrize(("value", "declared"), [
    (False, "paywalled"), ("False", "paywalled"), ("false", "paywalled"),
    ("FALSE", "paywalled"), (True, "free"), ("True", "free"), ("https://schema.org/False",
                                                               "paywalled"),
])
def test_is_accessible_for_free_in_any_spelling(value, declared):
    verdict = detect_paywall(page(ld(**{"@type": "NewsArticle", "isAccessibleForFree": value})))
    assert verdict.declared == declared
    assert not verdict.detected, "a declaration alone is not a gate"


def test_graph_has_part_and_microdata():
    graph = ld(**{"@graph": [{"@type": "WebPage"}, {"@type": "NewsArticle", "hasPart": [
        {"@type": "WebPageElement", "isAccessibleForFree": "False", "cssSelector": ".x"}]}]})
    assert detect_paywall(page(graph)).declared == "paywalled"
    micro = '<meta itemprop="isAccessibleForFree" content="false">'
    assert detect_paywall(page(body=micro + TEXT)).declared == "paywalled"


def test_lesser_declarations_and_their_precedence():
    tier = '<meta property="article:content_tier" content="{}">'
    assert detect_paywall(page(tier.format("locked"))).declared == "paywalled"
    assert detect_paywall(page(tier.format("metered"))).declared == "metered"
    not_free = ld(**{"@type": "NewsArticle", "isAccessibleForFree": False})
    assert detect_paywall(page(not_free + tier.format("metered"))).declared == "metered"
    free = ld(**{"@type": "NewsArticle", "isAccessibleForFree": True})
    assert detect_paywall(page(free + tier.format("locked"))).declared == "free"
    arc = '<script>Fusion.globalContent={"content_restrictions":{"content_code":"premium"}}'
    assert detect_paywall(page(arc + "</script>")).declared == "paywalled"
    amp = ('<script async custom-element="amp-subscriptions" src="x.js"></script>')
    amp_body = f'<section subscriptions-section="content">{TEXT}</section>'
    assert detect_paywall(page(amp, amp_body)).declared == "paywalled"
    assert detect_paywall(page(url="https://n.example/plus/story-1")).declared == "paywalled"
    assert detect_paywall(page()).declared is None


def test_vendors_are_named_but_do_not_gate():
    scripts = ('<script src="https://cdn.tinypass.com/api/tinypass.min.js"></script>'
               '<script src="https://js.pelcro.com/sdk/main.min.js"></script>')
    verdict = detect_paywall(page(scripts))
    assert verdict.vendors == ["Piano/Tinypass", "Pelcro"]
    assert not verdict.detected


def test_phrase_templates_match_numbers_prices_and_apostrophes():
    regex = compile_groups({"a": ["il vous reste {n}% de cet article", "only {price} per year",
                                  "you've reached your limit"]})
    text = "Il vous reste 57.09% de cet article ... ONLY $100 per year ... You\u2019ve reached"
    text += " your limit"
    assert [m.lastgroup for m in regex.finditer(text)] == ["a", "a", "a"]
