"""The verdict's meaning, case by case, with the evidence a researcher audits."""

from __future__ import annotations

import math

from archiver.article import ArticleText
from archiver.page import CapturedPage
from archiver.paywall import PaywallHints, PaywallVerdict, detect_paywall
from archiver.paywall.data import load
from tests.paywall.conftest import TUNING, labelled_page, labels

BY_FILE = {label["file"]: label for label in labels(TUNING)}


def verdict_for(name: str, hints: PaywallHints | None = None) -> PaywallVerdict:
    return detect_paywall(labelled_page(TUNING, BY_FILE[name]), hints=hints)


def evidence(verdict: PaywallVerdict, name: str) -> list[str]:
    return [signal.evidence for signal in verdict.signals if signal.name == name]


def test_seed_al_monitor_teaser_is_a_hard_truncated_wall():
    verdict = verdict_for("seed_almonitor_en_hard.html")
    assert (verdict.detected, verdict.kind, verdict.truncated) == (True, "hard", True)
    assert verdict.declared == "paywalled"
    assert any("Only $100 per year" in text and "after_body" in text
               for text in evidence(verdict, "prompt.price"))
    assert verdict.visible_words < 200 and verdict.expected_words is None


def test_to_dict_has_exactly_the_stored_fields():
    document = verdict_for("seed_almonitor_en_hard.html").to_dict()
    assert list(document) == ["detected", "kind", "truncated", "declared", "confidence",
                              "vendors", "visible_words", "expected_words", "signals"]
    assert 0.0 <= document["confidence"] <= 1.0
    assert set(document["signals"][0]) == {"name", "weight", "evidence", "contribution"}


def test_each_signal_lists_what_it_added_to_the_verdict():
    """The model's log-odds are the intercept plus the listed contributions:
    the verdict can be recomputed from what it stores."""
    verdict = verdict_for("seed_almonitor_en_hard.html")
    model = load("weights")["model"]
    z = model["intercept"] + sum(signal.contribution for signal in verdict.signals)
    assert verdict.detected and abs(1 / (1 + math.exp(-z)) - verdict.confidence) < 1e-6
    assert any(signal.contribution > 0 for signal in verdict.signals)


def test_percent_remaining_prompts_are_strong_in_french_and_polish():
    french = verdict_for("lemonde_fr_hard.html")
    assert any("Il vous reste 57% de cet article à lire" in text
               for text in evidence(french, "prompt.remaining"))
    polish = verdict_for("rzeczpospolita_pl_hard.html")
    assert any("Pozostało jeszcze 89% artykułu" in text
               for text in evidence(polish, "prompt.remaining"))


def test_chrome_prompts_are_listed_with_zero_weight_and_do_not_flag_a_free_article():
    verdict = verdict_for("free_en_subscribe_chrome.html")
    assert not verdict.detected and not verdict.truncated
    chrome = [s for s in verdict.signals if s.name.startswith("prompt.")]
    assert chrome and all(s.weight == 0 for s in chrome)
    assert any("chrome" in s.evidence for s in chrome)


def test_declared_paywalled_page_with_full_text_is_declared_but_not_gated():
    verdict = verdict_for("declared_paywalled_fulltext_en.html")
    assert verdict.declared == "paywalled"
    assert not verdict.detected and not verdict.truncated
    assert evidence(verdict, "declared.paywalled") == [
        "JSON-LD NewsArticle isAccessibleForFree=False"]


def test_soft_wall_keeps_the_text_and_names_the_hidden_part():
    verdict = verdict_for("haspart_hidden_en_soft.html")
    assert (verdict.detected, verdict.kind, verdict.truncated) == (True, "soft", False)
    assert evidence(verdict, "gate.declared_part_hidden") == [
        "hasPart '.premium-body' is in the page but hidden"]


def test_registration_wall_is_told_from_a_paid_one():
    verdict = verdict_for("registration_de.html")
    assert verdict.kind == "registration"
    assert any("Kostenlos registrieren und weiterlesen" in text
               for text in evidence(verdict, "prompt.registration"))


def test_http_402_is_a_wall():
    verdict = verdict_for("http402_en.html")
    assert evidence(verdict, "http.payment_required")
    assert verdict.kind == "hard"


def test_redirect_to_a_login_page_is_a_wall():
    page = CapturedPage("https://news.example/story", b"", status=302,
                        headers={"location": ["https://news.example/login?returnUrl=/story"]})
    verdict = detect_paywall(page)
    assert verdict.detected and evidence(verdict, "http.redirect_to_wall")


def test_site_hints_add_phrases_selectors_and_a_declaration():
    page = CapturedPage("https://small.example/a", (
        "<html><body><article><p>" + "Word " * 60 + "ends here.</p>"
        "<div class='zz-box'>Werde Teil unserer Leserschaft und lies alles</div>"
        "</article></body></html>").encode())
    plain = detect_paywall(page)
    assert not plain.detected and plain.declared is None
    hinted = detect_paywall(page, hints=PaywallHints(
        gate_selectors=[".zz-box"], prompt_phrases=["werde teil unserer leserschaft"],
        declared_override="paywalled"))
    assert hinted.detected and hinted.declared == "paywalled"
    assert evidence(hinted, "gate.site_selector") == ["site gate selector '.zz-box'"]
    assert any("Werde Teil unserer Leserschaft" in text for text in evidence(hinted, "prompt.site"))


def test_given_extraction_is_used_as_is():
    """The crawl's own extraction is trusted, not redone: a text of 12 words
    that is not the page's gives 12 visible words."""
    page = labelled_page(TUNING, BY_FILE["lemonde_fr_hard.html"])
    given = ArticleText(text="one two three four five six\nseven eight nine ten eleven twelve")
    assert detect_paywall(page, given).visible_words == 12
    assert detect_paywall(page).visible_words != 12


def test_bad_and_empty_html_never_crash():
    for body in (b"", b"\x00\xff\xfe<<<", b"<html><body><p>unclosed <div><script>x",
                 b"<?xml version='1.0'?><rss/>", "<p>ü</p>".encode("utf-16")):
        verdict = detect_paywall(CapturedPage("https://x.example/", body))
        assert isinstance(verdict, PaywallVerdict)
        assert not verdict.detected


def test_a_prompt_quoted_in_the_middle_of_the_article_weighs_nothing():
    paragraphs = [f"<p>Paragraph {i} of a long free article about the harbour, "
                  f"with enough words to be read as text.</p>" for i in range(14)]
    paragraphs.insert(3, "<p>Readers said the rival site shows 'subscribe to continue "
                         "reading' after three paragraphs.</p>")
    html = f"<html><body><article>{''.join(paragraphs)}</article></body></html>"
    verdict = detect_paywall(CapturedPage("https://x.example/a", html.encode()))
    assert not verdict.detected
    assert all(s.weight == 0 for s in verdict.signals if s.name == "prompt.continue")


def test_vendor_from_cookie_header():
    page = CapturedPage("https://x.example/a", b"<html><body><p>Text.</p></body></html>",
                        headers={"set-cookie": ["__pvi=abc; Path=/", "other=1"]})
    assert detect_paywall(page).vendors == ["Piano/Tinypass"]


def test_capture_of_a_subscribe_page_is_a_wall():
    page = CapturedPage("https://x.example/subscribe?returnUrl=/story",
                        b"<html><body><h1>Choose your plan</h1></body></html>")
    verdict = detect_paywall(page)
    assert verdict.detected and any(s.name == "url.wall_page" for s in verdict.signals)


def test_a_subscribe_link_right_after_a_cut_teaser_is_evidence():
    paragraphs = "".join(f"<p>Paragraph {i} of the teaser, long enough to be read as text "
                         f"by the extractor.</p>" for i in range(3))
    html = (f"<html><body><article>{paragraphs}<p>The council said the cost rose because"
            f"...</p><a href='/subscribe?ref=wall'>Keep going</a></article></body></html>")
    verdict = detect_paywall(CapturedPage("https://x.example/a", html.encode()))
    assert evidence(verdict, "gate.wall_link_after_body") == [
        "link '/subscribe?ref=wall' (paid page) after the body"]
    assert evidence(verdict, "truncation.ellipsis")


def test_declared_not_free_a_cut_text_and_a_wall_after_it_decide_alone():
    """``gate.declared_teaser`` is a rule over three signals, decisive and no
    input of the model: each of the three alone is common on complete articles."""
    paragraphs = "".join(f"<p>Paragraph {i} of the teaser, long enough to be read as text "
                         f"by the extractor.</p>" for i in range(3))
    body = (f"<body><article>{paragraphs}<p>The council said the cost rose because...</p>"
            f"<a href='/subscribe?ref=wall'>Keep going</a></article></body>")
    declared = ('<head><script type="application/ld+json">{"@type": "NewsArticle", '
                '"isAccessibleForFree": false}</script></head>')
    verdict = detect_paywall(CapturedPage("https://x.example/a",
                                          f"<html>{declared}{body}</html>".encode()))
    [rule] = [s for s in verdict.signals if s.name == "gate.declared_teaser"]
    assert verdict.detected and verdict.kind == "hard" and verdict.truncated
    assert "isAccessibleForFree=False" in rule.evidence
    assert "gate.wall_link_after_body" in rule.evidence
    assert rule.contribution == 0.0
    assert "gate.declared_teaser" not in load("weights")["model"]["coefficients"]
    undeclared = detect_paywall(CapturedPage("https://x.example/a",
                                             f"<html>{body}</html>".encode()))
    assert not evidence(undeclared, "gate.declared_teaser")


def _teaser(wall: str, charset: str = "utf-8") -> str:
    paragraphs = "".join(f"<p>Paragraph {i} of the story, long enough to be read as text "
                         f"by the extractor.</p>" for i in range(3))
    return (f"<html><head><meta charset='{charset}'></head><body><article>{paragraphs}"
            f"<p>The council said the cost rose because</p></article>{wall}</body></html>")


def test_a_short_text_cut_mid_sentence_is_weighed_by_its_shortness():
    """``truncation.short_cut``: a short text whose last sentence is cut; a
    complete brief of the same length does not get it."""
    cut = detect_paywall(CapturedPage("https://x.example/a", _teaser("").encode()))
    [signal] = [s for s in cut.signals if s.name == "truncation.short_cut"]
    assert 0 < signal.weight <= 1 and "truncation.mid_sentence" in signal.evidence
    whole = _teaser("").replace("rose because</p>", "rose because of the rain.</p>")
    complete = detect_paywall(CapturedPage("https://x.example/a", whole.encode()))
    assert not evidence(complete, "truncation.short_cut")
    assert not evidence(complete, "truncation.mid_sentence")


def test_a_text_of_the_stated_length_is_evidence_against_a_wall():
    """``truncation.whole_text``, the complement of ``truncation.word_count``:
    the fitted model weighs it against a wall."""
    paragraphs = "".join(f"<p>Paragraph {i} of the story, long enough to be read as text "
                         f"by the extractor, and it ends well.</p>" for i in range(8))

    def page(words: int) -> PaywallVerdict:
        declared = ('<script type="application/ld+json">{"@type": "NewsArticle", '
                    f'"wordCount": {words}}}</script>')
        html = f"<html><head>{declared}</head><body><article>{paragraphs}</article></body></html>"
        return detect_paywall(CapturedPage("https://x.example/a", html.encode()))

    whole = page(130)
    assert evidence(whole, "truncation.whole_text") and not evidence(whole, "truncation.word_count")
    assert load("weights")["model"]["coefficients"]["truncation.whole_text"] < 0
    cut = page(900)
    assert evidence(cut, "truncation.word_count") and not evidence(cut, "truncation.whole_text")


def test_a_utf8_prompt_labelled_latin1_is_read_as_utf8():
    """UTF-8 bytes under a latin-1 label: read as latin-1, "réservé" is
    "rÃ©servÃ©" and no French prompt matches; the strict UTF-8 reading repairs it."""
    html = _teaser("<div><p>La suite de cet article est réservée aux abonnés.</p></div>",
                   charset="iso-8859-1")
    page = CapturedPage("https://x.example/a", html.encode("utf-8"),
                        headers={"content-type": ["text/html; charset=ISO-8859-1"]})
    assert "réservée aux abonnés" in page.html
    verdict = detect_paywall(page)
    assert any("réservée aux abonnés" in text for text in evidence(verdict, "prompt.remaining"))
    assert verdict.detected


def test_a_page_really_in_latin1_stays_latin1():
    html = _teaser("<p>Réservé aux abonnés.</p>", charset="iso-8859-1")
    assert "Réservé aux abonnés" in CapturedPage("https://x.example/a", html.encode("latin-1")).html


def test_a_wall_asking_for_an_account_and_no_payment_is_a_registration_wall():
    """The wall's links and form say what it wants: a registration page and an
    e-mail field, no price and no subscribe page; the login link decides nothing.
    (With "Keep reading for free." as its only words, the shipped model's
    precision-first threshold, 0.8, leaves this wall at 0.68: not detected.)"""
    wall = ("<div class='regwall'><p>Create a free account to keep reading.</p>"
            "<form action='/account/register'><input type='email' name='email'></form>"
            "<a href='/register?src=wall'>Create account</a> <a href='/login'>Log in</a></div>")
    verdict = detect_paywall(CapturedPage("https://x.example/a", _teaser(wall).encode()))
    assert verdict.detected and verdict.kind == "registration"
    assert evidence(verdict, "offer.account")
    assert all(signal.contribution == 0 for signal in verdict.signals
               if signal.name.startswith("offer."))


def test_the_same_wall_with_a_subscribe_link_and_a_price_is_a_paid_one():
    wall = ("<div class='regwall'><p>Keep reading for only $1 per week.</p>"
            "<a href='/subscribe?src=wall'>Subscribe</a> <a href='/login'>Log in</a></div>")
    verdict = detect_paywall(CapturedPage("https://x.example/a", _teaser(wall).encode()))
    assert verdict.detected and verdict.kind == "hard"
    assert evidence(verdict, "offer.subscription")


def test_a_login_form_the_page_hides_is_no_wall_form():
    form = ("<style>.modal-login { display: none }</style><div class='modal-login'><form>"
            "<input type='email'><input type='password'></form></div>")
    verdict = detect_paywall(CapturedPage("https://x.example/a", _teaser(form).encode()))
    assert not evidence(verdict, "gate.wall_form_after_body")


def _long_article(wrapper_class: str) -> str:
    paragraphs = "".join(f"<p>Paragraph {i} of a long story, with enough words in it to be read "
                         f"as article text by the extractor, ends here.</p>" for i in range(20))
    return f"<div class='{wrapper_class}'>{paragraphs}</div>"


def test_a_paywall_class_wrapping_the_whole_article_is_no_wall_box():
    """Rolling Stone wraps every article, free ones too, in ``div.pmc-paywall``."""
    html = f"<html><body><article>{_long_article('pmc-paywall')}</article></body></html>"
    verdict = detect_paywall(CapturedPage("https://x.example/a", html.encode()))
    assert not evidence(verdict, "gate.element_after_body")


def test_a_pitch_in_a_hidden_utility_class_weighs_nothing():
    pitch = ("<div class='paywall-box hidden'><p>Subscribe to continue reading, "
             "only $1 per week.</p></div>")
    html = f"<html><body><article>{_long_article('body')}</article>{pitch}</body></html>"
    verdict = detect_paywall(CapturedPage("https://x.example/a", html.encode()))
    assert not verdict.detected
    assert all(signal.weight == 0 for signal in verdict.signals
               if signal.name.startswith("prompt."))
    assert not evidence(verdict, "gate.element_after_body")


def test_another_storys_card_classed_paywall_is_no_wall_box():
    """Sermitsiaq classes the cards of its paywalled stories under a free article
    ``article.paywall``: a link to another page, not a wall."""
    card = ("<article class='paywall'><a href='/news/other-story'>Council loses its appeal</a>"
            "</article>")
    html = f"<html><body><article>{_long_article('body')}</article>{card}</body></html>"
    verdict = detect_paywall(CapturedPage("https://x.example/a", html.encode()))
    assert not evidence(verdict, "gate.element_after_body")


def test_a_wall_box_kept_hidden_until_a_script_opens_it_weighs_nothing():
    """A metered site ships its wall on every page inside a closed modal
    (TownNews BLOX: ``div.modal.fade`` > ``#lee-registration-wall``): the
    prompt is inside a paywall container, but the reader is not walled until a
    script opens it. The same box shown weighs as a gate."""
    wall = ("<div class='{cls}'><div class='registration-wall'><p>Subscribe to keep reading "
            "our journalism.</p></div></div>")

    def prompt(cls: str) -> list[str]:
        page = CapturedPage("https://x.example/a", _teaser(wall.format(cls=cls)).encode())
        return [s.evidence for s in detect_paywall(page).signals
                if s.name == "prompt.continue" and s.weight > 0]

    assert prompt("modal fade") == []
    assert prompt("modal") and "gate" in prompt("modal")[0]


PARAGRAPHS = "".join(f"<p>Paragraph {i} of the story, long enough to be read as text "
                     f"by the extractor, ends here.</p>" for i in range(3))


def stylesheet_hidden(style: str, article: str) -> list[str]:
    """The evidence of ``gate.stylesheet_hidden_body`` on a page of ``article`` whose
    ``<style>`` is ``style``."""
    html = (f"<html><head><style>{style}</style></head><body><article>{article}</article>"
            "</body></html>")
    return evidence(detect_paywall(CapturedPage("https://x.example/a", html.encode())),
                    "gate.stylesheet_hidden_body")


def test_a_wall_note_the_stylesheet_hides_is_no_hidden_article_text():
    """``gate.stylesheet_hidden_body`` says the text was sent and hidden (a
    soft wall); a hard wall's own short note, hidden until its script shows it
    (iHNed's ``div.paywall-note2``), is not article text. The same rule over
    the article's paragraphs still fires."""
    style = ".paywall-note { display: none }"
    note = ("<div class='paywall-note'><p>You clicked an article of the subscribers' section "
            "here</p></div>")
    assert stylesheet_hidden(style, PARAGRAPHS + note) == []
    assert stylesheet_hidden(style, f"<div class='paywall-note'>{PARAGRAPHS * 6}</div>")


def test_a_class_hidden_only_in_print_or_at_some_widths_hides_no_article_text():
    """A responsive or print-only rule (Bootstrap's ``d-print-none``, ``d-lg-none``)
    hides the element from no reader on a screen: the article's end in such a class is
    no stylesheet-hidden text; the same class hidden outside ``@media``, or in an
    ``@media screen`` block, still is."""
    article = f"<div class='rest'>{PARAGRAPHS * 6}</div>"
    for style in ["@media print { .rest { display: none } }",
                  "@media (min-width: 992px) { .x { color: red } .rest { display: none } }",
                  "@media screen and (max-width: 600px) { .rest { display: none } }"]:
        assert stylesheet_hidden(style, article) == [], style
    for style in ["@media screen { .rest { display: none } }",
                  "@media print { .x { display: none } } .rest { display: none }"]:
        assert stylesheet_hidden(style, article), style


def test_a_comment_before_a_rule_is_no_part_of_its_selectors():
    """Unminified stylesheets name their sections: ``/* Paywall */ .locked{...}``."""
    assert stylesheet_hidden("p { margin: 0 }\n/* Paywall */\n.rest { display: none }",
                             f"<div class='rest'>{PARAGRAPHS * 6}</div>")


def test_a_comment_before_a_media_block_leaves_it_conditional():
    """"/* Tablets */ @media (max-width: 900px) {...}": the comment names the section."""
    assert stylesheet_hidden("p { margin: 0 }\n/* Tablets */\n@media (max-width: 900px) {"
                             " .rest { display: none } }",
                             f"<div class='rest'>{PARAGRAPHS * 6}</div>") == []
