"""Hidden text, wall boxes and prompts at the wall: what they mean (gates, regions, decisive)."""

from __future__ import annotations

from lxml import html as lxml_html

from archiver.page import CapturedPage
from archiver.paywall import PaywallVerdict, detect_paywall
from archiver.paywall.data import load
from archiver.paywall.gates import find_hidden_behind_wall
from archiver.paywall.regions import Regions, is_hidden
from archiver.paywall.verdict import Signal
from tests.paywall.test_detector import evidence, verdict_for

HIDDEN = Signal("gate.stylesheet_hidden_body", 0.45, "the article's last line is in .paywall")
BOX = Signal("gate.element_after_body", 0.3, "<div.paywall-box> at the end of the body")


def test_hidden_text_with_a_wall_box_at_its_end_is_a_soft_wall_by_definition():
    """Either alone is common on complete articles; together they decide, with
    no fitted weight, and call the wall soft."""
    assert find_hidden_behind_wall([HIDDEN]) == []
    assert find_hidden_behind_wall([BOX]) == []
    assert find_hidden_behind_wall([Signal(HIDDEN.name, 0.0, "listed at 0"), BOX]) == []
    [rule] = find_hidden_behind_wall([BOX, HIDDEN])
    assert rule.name == "gate.hidden_behind_wall"
    assert "gate.stylesheet_hidden_body" in rule.evidence and "div.paywall-box" in rule.evidence
    weights = load("weights")
    assert rule.name in weights["decisive"] and rule.name in weights["not_fitted"]
    assert rule.name in weights["soft"]
    assert rule.name not in weights["model"]["coefficients"]
    verdict = verdict_for("blurred_sv_soft.html")
    assert evidence(verdict, "gate.hidden_behind_wall")
    assert (verdict.detected, verdict.kind) == (True, "soft")


def _tree(body: str) -> lxml_html.HtmlElement:
    return lxml_html.fromstring(f"<html><body><article><p>Story.</p></article>{body}</body></html>")


def test_a_truncated_class_is_no_hidden_text_a_fade_is():
    """A server-cut teaser classed ``truncated`` (reflets.info) is what the reader
    sees; a faded or blurred one is kept from them."""
    tree = _tree("<div class='full truncated article'><p id='cut'>The teaser ends here</p></div>"
                 "<div class='text-fade'><p id='fade'>Faded words</p></div>")
    assert not is_hidden(tree.get_element_by_id("cut"))
    assert is_hidden(tree.get_element_by_id("fade"))


def test_a_camelcase_wall_or_hiding_name_counts_a_camelcase_chrome_name_does_not():
    """TIME's ``tcmPaywallSubscribeButton`` names its wall and ``textFade`` fades;
    ``fadeIn`` is an entrance animation, and the Daily Memphian's ``EmailSignup``
    wall box must not turn into chrome (its registration wall was lost so)."""
    tree = _tree("<div class='tcmPaywallSubscribeButton'><p id='wall'>Subscribe</p></div>"
                 "<div class='textFade'><p id='faded'>Faded words</p></div>"
                 "<div class='fadeIn'><p id='shown'>Shown words</p></div>"
                 "<div class='EmailSignup'><p id='box'>Sign up free</p></div>"
                 "<div class='canvasPaywallish'><p id='inner'>Not a word start</p></div>")
    regions = Regions()
    assert regions.region(tree.get_element_by_id("wall"))[0] == "gate"
    assert is_hidden(tree.get_element_by_id("faded"))
    assert not is_hidden(tree.get_element_by_id("shown"))
    assert regions.region(tree.get_element_by_id("box"))[0] is None
    assert regions.region(tree.get_element_by_id("inner"))[0] == "gate"


def test_a_card_inside_a_paywall_box_is_the_wall_a_card_alone_is_chrome():
    """MarketingProfs' sign-up form sits in a ``div.card-box`` inside its
    ``div.paywall-box``: the wall's own box, not a related-story card."""
    tree = _tree("<div class='paywall-box'><div class='card-box'><p id='walled'>Enter your "
                 "email address to continue reading</p></div></div>"
                 "<div class='card-box'><p id='card'>Related story</p></div>"
                 "<div class='paywall-box'><div style='display:none'><div class='card-box'>"
                 "<p id='closed'>A closed box</p></div></div></div>")
    regions = Regions()
    region, container = regions.region(tree.get_element_by_id("walled"))
    assert region == "gate" and container is not None and container.get("class") == "paywall-box"
    assert regions.region(tree.get_element_by_id("card"))[0] == "chrome"
    assert regions.region(tree.get_element_by_id("closed"))[0] == "chrome"


def test_a_continue_prompt_right_after_the_body_decides_the_same_words_in_a_menu_do_not():
    """"Subscribe to continue reading" after a text of free length stops the
    reader there, whatever the model gives it; in a menu it is chrome."""
    paragraphs = "".join(f"<p>Paragraph {i} of a story long enough to be read whole by the "
                         f"extractor, with enough words in it to pass for an article.</p>"
                         for i in range(20))

    def verdict(where: str) -> PaywallVerdict:
        article = f"<article>{paragraphs}{where if where.startswith('<p') else ''}</article>"
        menu = where if where.startswith("<nav") else ""
        page = f"<html><body>{menu}{article}</body></html>"
        return detect_paywall(CapturedPage("https://x.example/a", page.encode()))

    after = verdict("<p>Subscribe to continue reading</p>")
    [prompt] = [s for s in after.signals if s.name == "prompt.continue"]
    assert prompt.weight >= load("weights")["decisive"]["prompt.continue"]
    assert after.detected and after.visible_words > 200
    menu = verdict("<nav><a href='/news'>Subscribe to continue reading</a></nav>")
    assert not menu.detected
    assert all(s.weight == 0 for s in menu.signals if s.name == "prompt.continue")


def test_a_wall_box_linking_to_its_own_login_form_is_a_wall_a_box_of_story_links_a_card():
    """iHNed's hard wall box links "Už mám předplatné" to ``#login-top-form`` on the
    same page: not another page, so the box is no card of other stories."""
    paragraphs = "".join(f"<p>Paragraph {i} of the story, long enough to be read as text "
                         f"by the extractor, ends here.</p>" for i in range(3))

    def boxes(box: str) -> list[str]:
        page = f"<html><body><article>{paragraphs}{box}</article></body></html>"
        return evidence(detect_paywall(CapturedPage("https://x.example/a", page.encode())),
                        "gate.element_after_body")

    assert boxes("<div class='paywall-reminder'><a href='/subscribe'>Subscribe</a>"
                 "<a href='#login-top-form'>I already subscribe here</a></div>") == [
        "<div.paywall-reminder> at the end of the body"]
    assert boxes("<div class='paywall-reminder'><a href='/news/other-story'>Another "
                 "story of the subscribers' section</a></div>") == []
