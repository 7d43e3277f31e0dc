"""A sitemap ``lastmod`` newer than the last capture re-fetches an article in full,
even when ``ARCHIVER_REVISIT_AFTER=never`` stops every other re-fetch."""

from __future__ import annotations

from archiver.demo.server import Route, serve
from archiver.discovery.feeds import feed_entries
from archiver.discovery.sitemaps import parse_sitemap
from tests.catalog.site import article_page, validated
from tests.crawling import crawl

SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>/news/steady</loc><lastmod>2026-11-01T08:00:00Z</lastmod></url>
<url><loc>/news/corrected</loc><lastmod>{corrected}</lastmod></url>
</urlset>"""


def sitemap(corrected: str) -> Route:
    return Route(body=SITEMAP.format(corrected=corrected).encode(),
                 content_type=b"application/xml")


def test_lastmod_is_read_apart_from_the_publication_date():
    body = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
      xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>/a</loc>
      <lastmod>2026-11-20T10:00:00Z</lastmod><news:news><news:publication_date>2026-11-01
      </news:publication_date></news:news></url></urlset>"""
    (entry,) = parse_sitemap(body, "http://127.0.0.1/sitemap.xml").entries
    assert entry.date.day == 1 and entry.lastmod.day == 20
    feed = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><title>x</title>
      <link href="http://127.0.0.1/b"/><published>2026-11-01T08:00:00Z</published>
      <updated>2026-11-21T08:00:00Z</updated></entry></feed>"""
    (item,) = feed_entries(feed, "http://127.0.0.1/feed.xml")
    assert item.date.day == 1 and item.lastmod.day == 21


def test_newer_lastmod_refetches_despite_revisit_never(tmp_path):
    routes = {
        "/robots.txt": Route(body=b"User-agent: *\nSitemap: /sitemap.xml\n",
                             content_type=b"text/plain"),
        "/": Route(body=b"<html><body>home</body></html>"),
        "/sitemap.xml": sitemap("2026-11-01T08:00:00Z"),
        "/news/steady": validated(article_page("Steady story", 1), "steady"),
        "/news/corrected": validated(article_page("Corrected story", 2), "corrected"),
    }
    never = ("-s", "ARCHIVER_REVISIT_AFTER=never")
    with serve(routes) as site:
        first = crawl(site.base_url + "/", tmp_path, "--crawl-id", "run1", *never)
        seen = len(site.log.entries)
        site.routes["/sitemap.xml"] = sitemap("2099-01-01T00:00:00Z")
        second = crawl(site.base_url + "/", tmp_path, "--crawl-id", "run2", *never)
        run2 = site.log.entries[seen:]
    for result in (first, second):
        assert result.process.returncode == 0, result.process.stderr[-3000:]
    first_paths = [path for _, path, _ in site.log.entries[:seen]]
    assert {"/news/steady", "/news/corrected"} <= set(first_paths)
    run2_paths = [path for _, path, _ in run2]
    assert "/sitemap.xml" in run2_paths, "sitemaps are read on every run"
    assert "/news/steady" not in run2_paths, "REVISIT_AFTER=never: not fetched again"
    corrected = [headers for _, path, headers in run2 if path == "/news/corrected"]
    assert len(corrected) == 1
    assert "If-None-Match" not in corrected[0], "a newer lastmod is an unconditional fetch"
