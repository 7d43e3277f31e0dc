"""Publishers' schema.org types as the classifier reads them (BBC marks news as
``ReportageNewsArticle``)."""

from __future__ import annotations

import json

import pytest

from archiver.discovery.classifier import is_article
from archiver.page import CapturedPage


def page_of_type(kind: str) -> CapturedPage:
    document = json.dumps({"@context": "https://schema.org", "@type": kind, "headline": "h"})
    body = (f'<html><head><script type="application/ld+json">{document}</script></head>'
            "<body><p>text</p></body></html>").encode()
    return CapturedPage(url="https://news.example/a", body=body)


@pytest.mark.parametrize("kind", ["ReportageNewsArticle", "NewsArticle", "AnalysisNewsArticle"])
def test_news_article_subtypes_are_articles(kind: str):
    assert is_article(page_of_type(kind))


def test_a_web_page_is_not_an_article():
    assert not is_article(page_of_type("WebPage"))
