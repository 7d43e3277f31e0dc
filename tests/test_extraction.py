"""Article extraction: metadata as the page declares it (:func:`archiver.extraction.page_metadata`),
text by trafilatura from the page's one parse."""

from __future__ import annotations

import pickle
import re

import pytest
from lxml.etree import Element
from lxml.html import HtmlElement
from trafilatura.utils import load_html
from trafilatura.xpaths import AUTHOR_XPATHS

from archiver import article as article_module
from archiver import extraction
from archiver.extraction import BYLINE_WORDS, extract_article, page_metadata
from archiver.page import CapturedPage

DECLARED = b"""<!DOCTYPE html><html lang="de"><head><title>Harbour | Site</title>
<meta property="og:title" content="Social headline">
<meta name="author" content="Meta Author">
<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
 {"@type": "WebSite", "name": "Site", "headline": "Not an article"},
 {"@type": "NewsArticle", "headline": "Harbour &quot;reopens&quot;  after storm",
  "datePublished": "2026-11-20T08:30:00+01:00",
  "author": [{"@type": "Person", "name": "Ana Ruiz"}, {"@type": "Person", "name": "Jo Berg"}]}
]}</script></head><body><article><h1>Harbour reopens</h1><p>Text.</p></article></body></html>"""

UNDECLARED = b"""<html><head><title>Council votes</title>
<meta property="article:published_time" content="Fri Apr 28 19:20:36 CEST 2023"></head>
<body><article><h1>Council votes</h1><p class="byline">By Kim Olsen</p>
<time datetime="2023-04-28">28 April 2023</time><p>The council voted.</p></article>
</body></html>"""


def test_json_ld_article_wins_over_meta_and_title():
    metadata = page_metadata(CapturedPage("https://x.org/a", DECLARED))
    assert metadata.title == 'Harbour "reopens" after storm'
    assert metadata.published == "2026-11-20"
    assert metadata.authors == ["Ana Ruiz", "Jo Berg"]


def test_undeclared_metadata_is_searched_in_the_document():
    metadata = page_metadata(CapturedPage("https://x.org/2023/council", UNDECLARED))
    assert metadata.title == "Council votes"
    assert metadata.published == "2023-04-28"  # an unparsed declaration: htmldate decides
    assert metadata.authors == ["Kim Olsen"]


def test_article_carries_the_declared_metadata_and_html_lang():
    article = extract_article(CapturedPage("https://x.org/a", DECLARED))
    assert (article.title, article.published, article.language) == (
        'Harbour "reopens" after storm', "2026-11-20", "de")
    assert article.authors == ["Ana Ruiz", "Jo Berg"]


def test_trafilatura_takes_the_pages_own_tree_forms_included():
    """The tree is parsed once: trafilatura's loader hands back the page's own
    document (it parses again anything that is not an ``HtmlElement``), and
    every element, a form's too, has lxml.html's methods."""
    page = CapturedPage("https://x.org/a", b"<html><body><form><label>Search</label>"
                        b"<input name='q'></form><p>Text.</p></body></html>")
    assert load_html(page.tree) is page.tree
    assert all(isinstance(element, HtmlElement) for element in page.tree.iter(Element))
    assert page.tree.find(".//form").text_content() == "Search"


def test_byline_words_cover_every_rule_of_trafilaturas_byline_search():
    """The byline search is skipped on a page holding none of ``BYLINE_WORDS``:
    each value trafilatura's rules compare an attribute with (each alternative
    of each regular expression) must hold one, or a trafilatura whose rules
    changed would lose bylines silently."""
    for rule in AUTHOR_XPATHS:
        assert "//author" not in rule.path or "uthor" in BYLINE_WORDS
        assert "rel='me'" not in rule.path or "<rel" in BYLINE_WORDS  # a <rel> child
        for value in re.findall(r"'([^']*)'", rule.path.replace("rel='me'", "")):
            for alternative in value.split("|"):
                spelled = re.sub(r"[\[\]?]", "", alternative).lower()
                assert any(word in spelled for word in BYLINE_WORDS), alternative


def test_a_page_with_no_byline_word_has_no_byline_and_one_with_a_byline_has_it():
    plain = b"<html><body><article><p>The council voted.</p></article></body></html>"
    assert page_metadata(CapturedPage("https://x.org/a", plain)).authors == []
    signed = plain.replace(b"<p>", b'<p class="article-Byline">Kim Olsen</p><p>', 1)
    assert page_metadata(CapturedPage("https://x.org/a", signed)).authors == ["Kim Olsen"]


def test_a_japanese_article_is_long_enough_without_spaces(monkeypatch: pytest.MonkeyPatch):
    """Words are counted in scripts written without spaces too: a Japanese
    article of 600 characters (a dozen space-separated "words") is long enough
    for fast mode, where it used to be run again in full mode for nothing."""
    sentence = "市議会は港の再建計画を全会一致で可決した。"
    body = "".join(f"<p>{(sentence[n:] + sentence[:n]) * 3}</p>" for n in range(10))
    page = CapturedPage("https://x.jp/a", f"<html lang='ja'><body><article>{body}"
                        "</article></body></html>".encode())
    modes: list[bool] = []
    original = extraction._trafilatura
    monkeypatch.setattr(extraction, "_trafilatura",
                        lambda page, fast: modes.append(fast) or original(page, fast))
    assert sentence in extract_article(page).text
    assert modes == [True]


def _japanese_article(sentences: int) -> CapturedPage:
    sentence = "市議会は港の再建計画を全会一致で可決した。"  # 20 characters and a full stop
    paragraphs = "".join(f"<p>{(sentence[n:] + sentence[:n]) * 3}</p>"  # distinct paragraphs
                         for n in range(sentences // 3))
    return CapturedPage("https://x.jp/a", f"<html lang='ja'><body><article>{paragraphs}"
                        "</article></body></html>".encode())


def test_a_japanese_article_counts_its_characters_as_words():
    """As publishers count them: 30 sentences of 20 characters and a full stop
    are 630 words (by spaces, the 10 paragraphs were 10 "words")."""
    article = extract_article(_japanese_article(30))
    assert article.word_count == 630


def test_a_short_japanese_text_is_still_checked_in_full_mode(monkeypatch: pytest.MonkeyPatch):
    """A word of Japanese is about two characters: 189 characters (about 95
    words) are short of a body, though they count 189 by characters."""
    modes: list[bool] = []
    original = extraction._trafilatura
    monkeypatch.setattr(extraction, "_trafilatura",
                        lambda page, fast: modes.append(fast) or original(page, fast))
    assert extract_article(_japanese_article(9)).word_count == 189
    assert modes == [True, False]


def test_the_word_count_goes_back_with_the_article_not_counted_again(
    monkeypatch: pytest.MonkeyPatch,
):
    """The count made to choose the text is the article's: it travels with the
    article from the analysis worker (pickled, as the pool sends results), and
    the crawling process does not count the text again for the item."""
    article = extract_article(_japanese_article(30))
    monkeypatch.setattr(article_module, "count_words", lambda text: pytest.fail("counted again"))
    assert pickle.loads(pickle.dumps(article)).word_count == 630
