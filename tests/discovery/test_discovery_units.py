"""The discovery building blocks on small inputs: URL rules, dates, sitemaps, feeds,
requisites, scope and request priorities."""

from __future__ import annotations

import gzip
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urldefrag, urljoin

import pytest
from scrapy.http import TextResponse, XmlResponse
from scrapy.linkextractors import IGNORED_EXTENSIONS
from scrapy.utils.url import url_has_any_extension

from archiver.discovery import links
from archiver.discovery.classifier import url_date, url_looks_like_article
from archiver.discovery.feeds import feed_entries
from archiver.discovery.freshness import Freshness, parse_date, parse_since
from archiver.discovery.links import (
    SKIPPED_EXTENSIONS,
    Resolver,
    css_references,
    feed_links,
    has_skipped_extension,
    page_links,
    page_requisites,
)
from archiver.discovery.scope import SiteScope
from archiver.discovery.sitemaps import (
    SitemapRobotParser,
    is_sitemap,
    parse_sitemap,
    sitemap_body,
)
from archiver.page import CapturedPage
from archiver.sites import SiteConfig
from spiders.news import ARTICLE_PRIORITY, DISCOVERY_PRIORITY, PAGE_PRIORITY, REQUISITE_PRIORITY


@pytest.mark.parametrize(
    ("url", "article"),
    [
        ("https://x.org/news/2026/11/24/council-approves-budget", True),
        ("https://x.org/2026/11/harbour-reopens", True),
        ("https://x.org/politics/article-20241122-deux-morts-dans-des-frappes", True),
        ("https://x.org/world/gulf-states-open-talks-on-water-grid", True),
        ("https://x.org/politique/article123456789/baerbock-posten", True),
        ("https://x.org/", False),
        ("https://x.org/world/", False),
        ("https://x.org/tag/climate-change-and-the-city", False),
        ("https://x.org/author/jane-doe-the-reporter", False),
        ("https://x.org/login", False),
        ("https://x.org/news/page/2", False),
    ],
)
def test_url_article_rule(url: str, article: bool):
    assert url_looks_like_article(url) is article


def test_url_date_reads_paths_and_compact_dates():
    assert url_date("https://x.org/a/2026/11/24/slug") == date(2026, 11, 24)
    assert url_date("https://x.org/a/2026/02/slug") == date(2026, 2, 28), "last day of month"
    assert url_date("https://x.org/politica/20250113/10277301/x.html") == date(2025, 1, 13)
    assert url_date("https://x.org/a/slug-without-date") is None


def test_since_durations_and_dates():
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    assert parse_since("2d", now) == now - timedelta(days=2)
    assert parse_since("90m", now) == now - timedelta(minutes=90)
    assert parse_since("2026-11-20", now) == datetime(2026, 11, 20, tzinfo=UTC)
    with pytest.raises(ValueError, match="expected a duration"):
        parse_since("last week", now)
    fresh = Freshness(now - timedelta(days=1))
    assert fresh.keeps(None), "undated entries are kept"
    assert fresh.keeps(parse_date("2026-11-24")), "a bare date means the whole day"
    assert not fresh.keeps(parse_date("2026-11-23T23:00:00Z"))


NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://x.org/a/one</loc><lastmod>2026-01-01</lastmod><news:news>
<news:publication><news:name>X</news:name><news:language>en</news:language></news:publication>
<news:publication_date>2026-11-24T10:00:00+01:00</news:publication_date>
<news:title>One</news:title></news:news></url>
<url><loc>/a/two</loc><lastmod>2026-11-20</lastmod></url>
</urlset>"""


def test_news_sitemap_dates_and_relative_locs():
    parsed = parse_sitemap(NEWS_SITEMAP, "https://x.org/news-sitemap.xml")
    assert not parsed.is_index
    one, two = parsed.entries
    assert one.url == "https://x.org/a/one"
    assert one.date == datetime(2026, 11, 24, 9, 0, tzinfo=UTC), "publication_date wins"
    assert two.url == "https://x.org/a/two"
    assert two.date == parse_date("2026-11-20")


def test_gzipped_sitemap_index_is_read():
    index = (b'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/'
             b'sitemap/0.9"><sitemap><loc>https://x.org/s1.xml</loc></sitemap></sitemapindex>')
    response = TextResponse("https://x.org/index.xml.gz", body=gzip.compress(index))
    body = sitemap_body(response)
    assert body == index
    parsed = parse_sitemap(body, response.url)
    assert parsed.is_index and [e.url for e in parsed.entries] == ["https://x.org/s1.xml"]
    assert is_sitemap(XmlResponse("https://x.org/s.xml", body=index))
    assert not is_sitemap(XmlResponse("https://x.org/f.xml", body=b"<rss><channel/></rss>"))
    assert parse_sitemap(b"not xml at all", "https://x.org/").entries == []


def test_robots_parser_keeps_sitemap_lines_and_still_obeys():
    parser = SitemapRobotParser(
        b"User-agent: *\nDisallow: /private/\nSitemap: https://x.org/news.xml\n"
        b"sitemap: /other.xml\n"
    )
    assert parser.sitemaps == ["https://x.org/news.xml", "/other.xml"]
    assert not parser.allowed("https://x.org/private/a", "news-archiver")
    assert parser.allowed("https://x.org/public/a", "news-archiver")


def test_rss_and_atom_entries_with_dates():
    rss = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
           b"<item><link>https://x.org/a/one</link>"
           b"<pubDate>Tue, 24 Nov 2026 10:00:00 +0000</pubDate></item>"
           b"<item><link>https://x.org/a/two</link></item></channel></rss>")
    entries = feed_entries(rss, "https://x.org/feed")
    assert [(e.url, e.date) for e in entries] == [
        ("https://x.org/a/one", datetime(2026, 11, 24, 10, tzinfo=UTC)),
        ("https://x.org/a/two", None),
    ]
    atom = (b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry>'
            b'<link href="/a/three"/><updated>2026-11-24T10:00:00Z</updated></entry></feed>')
    assert [e.url for e in feed_entries(atom, "https://x.org/atom.xml")] == [
        "https://x.org/a/three"]
    assert feed_entries(b"<html><body>no feed</body></html>", "https://x.org/") is None


PAGE = b"""<html><head><base href="https://x.org/news/">
<link rel="stylesheet" href="/css/site.css"><link rel="icon" href="/favicon.ico">
<link rel="preload" as="font" href="/f/a.woff2" crossorigin>
<link rel="alternate" type="application/rss+xml" href="/rss.xml">
<link rel="alternate" hreflang="fr" href="/fr/">
<style>body{background:url("img/bg.png")}</style>
<script src="https://cdn.x-static.net/app.js"></script></head>
<body style="background-image:url(data:image/png;base64,AAAA)">
<a href="story-about-the-harbour-storm">s</a><a href="/report.pdf">pdf</a>
<img src="p.jpg" srcset="p-2x.jpg 2x, p-3x.jpg 3x"><picture><source srcset="p.webp"></picture>
<video poster="poster.jpg"></video></body></html>"""


def test_page_requisites_feeds_and_links():
    page = CapturedPage(url="https://x.org/news/item", body=PAGE)
    requisites = {r.url: r.kind for r in page_requisites(page)}
    assert requisites == {
        "https://x.org/css/site.css": "stylesheet",
        "https://x.org/favicon.ico": "image",
        "https://x.org/f/a.woff2": "font",
        "https://x.org/news/img/bg.png": "image",
        "https://cdn.x-static.net/app.js": "script",
        "https://x.org/news/p.jpg": "image",
        "https://x.org/news/p-2x.jpg": "image",
        "https://x.org/news/p-3x.jpg": "image",
        "https://x.org/news/p.webp": "image",
        "https://x.org/news/poster.jpg": "image",
    }
    assert feed_links(page) == ["https://x.org/rss.xml"]
    assert page_links(page) == ["https://x.org/news/story-about-the-harbour-storm"]


@pytest.mark.parametrize("url", [
    "https://x.org/a/report.PDF", "https://x.org/dl/src.tar.gz", "https://x.org/f.pdf;jsessionid=1",
    "https://x.org/f.pdf?download=1", "https://x.org/harbour-after-storm", "https://x.org/",
    "https://x.org/.mp3", "https://x.org/news/story.html", "https://x.org/v/clip.mp4#t=3",
])
def test_skipped_extensions_as_scrapy_decides_them(url: str):
    assert has_skipped_extension(url) == url_has_any_extension(url, SKIPPED_EXTENSIONS)


def test_the_skipped_extensions_are_scrapys():
    """The workers' copy of Scrapy's list (they must not import Scrapy) is still its list."""
    assert list(links.IGNORED_EXTENSIONS) == IGNORED_EXTENSIONS


def test_page_links_resolve_each_href_once_in_document_order():
    body = (b'<html><body><a href="/b">b</a><a href="a#x">a</a><a href="/b">b again</a>'
            b'<a href="/file.zip">zip</a><a href="mailto:x@x.org">m</a><a href="a">a</a>'
            b"</body></html>")
    page = CapturedPage(url="https://x.org/news/", body=body)
    assert page_links(page) == ["https://x.org/b", "https://x.org/news/a"]


RESOLVER_BASES = ["https://x.org/news/2026/a.html?id=3#top", "http://x.org:8080/a/b/",
                  "HTTPS://User@X.org/c;p?q", "https://x.org", "file:///srv/site/index.html",
                  "https://[::1]:8000/p/q", "https://[::1/broken"]
RESOLVER_REFS = ["/b", "/b/../c?x=1#f", "//cdn.x.org/app.js", "//[::1", "https://y.org/./z",
                 "http://y.org/a/../b", "HTTP://y.org/A", "http:rel", "rel/../x", "../up",
                 "?q=2", "#frag", "", ";p", "mailto:a@x.org", "/", "/a:b", "javascript:x()"]


@pytest.mark.parametrize("base", RESOLVER_BASES)
def test_the_resolvers_cache_by_origin_resolves_as_urljoin_does(base: str):
    """References resolved through the origin-keyed cache are exactly the
    uncached resolution against the page's own base, for every kind of
    reference (a page on another path shares the cache entries)."""
    def uncached(ref: str) -> str | None:
        try:
            return urldefrag(urljoin(base, ref))[0]
        except ValueError:
            return None

    resolve, sibling = Resolver(base), Resolver(base.replace("/a", "/other/a"))
    for ref in RESOLVER_REFS:
        sibling(ref)  # fills the cache first, from another page of the site
        assert resolve(ref) == uncached(ref), ref


def test_css_references_resolve_against_the_stylesheet():
    css = ('@import "print.css"; @import url(theme.css);\n'
           "@font-face{src:url('../fonts/a.woff2')}\n.x{background:url(/i/bg.png)}")
    found = {r.url: r.kind for r in css_references(css, "https://x.org/static/css/site.css")}
    assert found == {
        "https://x.org/static/css/print.css": "stylesheet",
        "https://x.org/static/css/theme.css": "stylesheet",
        "https://x.org/static/fonts/a.woff2": "font",
        "https://x.org/i/bg.png": "image",
    }


def test_scope_domains_patterns_and_requisite_hosts():
    scope = SiteScope(SiteConfig(
        name="x", home=["https://www.x.org/"], allowed_domains=["x.org"],
        deny=["/account/"], articles={"allow": ["/story/\\d+"], "deny": ["/live/"]},
        requisites={"domains": ["x-cdn.net"], "types": ["stylesheet", "image"]},
    ))
    assert scope.allows("https://m.x.org/a") and not scope.allows("https://notx.org/a")
    assert not scope.allows("https://www.x.org/account/settings")
    assert scope.article_url("https://www.x.org/story/123")
    assert not scope.article_url("https://www.x.org/live/2026/11/24/election-night-as-it-was")
    assert scope.wants_requisite("https://img.x-cdn.net/a.png", "image")
    assert not scope.wants_requisite("https://img.x-cdn.net/a.js", "script"), "type not wanted"
    assert not scope.wants_requisite("https://ads.example/a.png", "image")


def test_default_allowed_domains_are_the_home_hosts():
    config = SiteConfig(name="x", home=["https://www.x.org/", "https://news.x.org/"])
    assert config.allowed_domains == ["news.x.org", "www.x.org"]


def test_requests_are_prioritised_discovery_articles_hubs_requisites():
    assert DISCOVERY_PRIORITY > ARTICLE_PRIORITY > PAGE_PRIORITY > REQUISITE_PRIORITY


def test_css_references_in_any_case_and_none_without_a_url():
    found = css_references(".a{background:URL(/i/a.png)} @IMPORT 'b.css';", "https://x.org/s/")
    assert [r.url for r in found] == ["https://x.org/i/a.png", "https://x.org/s/b.css"]
    assert css_references(".a{color:red} .b{display:none}", "https://x.org/s/") == []


@pytest.mark.parametrize("css", [
    ".a{background:url( 'a.png' )} .b{background:Url(\"b.png\")} @IMPORT 'c.css';",
    "url(url(d.png)) url('e.png\") @import url(f.css); url( @import",
    "/* \u0130stanbul */ .a{background:url(g.png)}",  # lower-casing makes the I two characters
    "@\u0131mport 'h.css'; .a{background:url(i.png)}",  # the regex's i matches a dotless i
])
def test_css_urls_are_the_case_blind_regexs_matches(css):
    """Found from where they can start, the matches the regex finds scanning everything."""
    expected = [(m.span(), m.groupdict()) for m in links.CSS_URL.finditer(css)]
    assert [(m.span(), m.groupdict())
            for m in links._css_urls(css, css.lower())] == expected
    assert expected
