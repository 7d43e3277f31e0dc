"""Hidden text, wall boxes and what they mean together (gates, regions)."""

from __future__ import annotations

from lxml import html as lxml_html

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
