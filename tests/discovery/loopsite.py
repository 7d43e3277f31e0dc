"""A small news site for the discovery tests, served on loopback, built for today's date.

Each article is reachable by exactly one discovery path, so a test can tell
which path found it: a section page, the sitemap index named in the config, a
Google News sitemap named only in robots.txt, the RSS feed named in the config,
an Atom feed announced only by ``<link rel="alternate">``. Dated URLs use
today's date so ``--since`` keeps them whenever the tests run.
"""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta

from archiver.demo.server import Route

NOW = datetime.now(UTC).replace(microsecond=0)
TODAY = NOW.strftime("%Y/%m/%d")
RECENT = (NOW - timedelta(hours=3)).isoformat()
OLD = "2020-01-05T08:00:00+00:00"

SECTION_ARTICLE = f"/world/{TODAY}/gulf-talks-resume-in-doha"
LOCAL_ARTICLE = f"/local/{TODAY}/harbour-reopens-after-storm"
INDEX_ARTICLE = f"/news/{TODAY}/council-approves-budget-plan"
NEWS_SITEMAP_ARTICLE = f"/news/{TODAY}/festival-returns-to-old-town"
RSS_ARTICLE = "/stories/river-cleanup-volunteers-remove-tonnes"
ATOM_ARTICLE = "/stories/bakery-wins-regional-bread-award"
OLD_ARTICLE = "/news/2020/01/05/old-story-from-the-archive-days"
DISALLOWED_ARTICLE = f"/private/{TODAY}/secret-memo-leaked-to-press"
LOOKALIKE = f"/news/{TODAY}/photo-of-the-day-harbour-at-dawn"

ARTICLES = [SECTION_ARTICLE, LOCAL_ARTICLE, INDEX_ARTICLE, NEWS_SITEMAP_ARTICLE, RSS_ARTICLE,
            ATOM_ARTICLE, OLD_ARTICLE]
HUBS = ["/", "/world/", "/local/", "/tag/harbour", "/author/jane-doe", "/login", LOOKALIKE]
REQUISITES = ["/static/site.css", "/static/print.css", "/static/fonts/serif.woff2",
              "/static/masthead.png", "/static/app.js"]
PHOTOS = {path: f"/static/photo-{n}.png" for n, path in enumerate(ARTICLES)}
NOT_FOR_HUBS = "/static/home.css"
OFFSITE_SCRIPT = "http://ads.invalid/tracker.js"


def _article(path: str, jsonld: bool) -> bytes:
    title = path.rstrip("/").rsplit("/", 1)[-1].replace("-", " ").capitalize()
    paragraphs = "".join(
        f"<p>{title}, part {n}: reporters spoke to residents, officials and experts about "
        "what happened, what it costs and what the town plans to do next week.</p>"
        for n in range(1, 7)
    )
    marker = (
        '<script type="application/ld+json">'
        + json.dumps({"@context": "https://schema.org", "@type": "NewsArticle",
                      "headline": title, "datePublished": RECENT})
        + "</script>"
        if jsonld else '<meta property="og:type" content="article">'
    )
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{title}</title>{marker}
<link rel="stylesheet" href="/static/site.css"><script src="/static/app.js"></script>
<script src="{OFFSITE_SCRIPT}"></script></head><body>
<header><a href="/">Home</a> <a href="/tag/harbour">Harbour</a>
<a href="/author/jane-doe">Jane Doe</a></header>
<article><h1>{title}</h1><img src="{PHOTOS[path]}" alt="photo">{paragraphs}</article>
</body></html>""".encode()


def _hub(title: str, links: list[str], head: str = "") -> bytes:
    anchors = "".join(f'<li><a href="{link}">{link}</a></li>' for link in links)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{title}</title><link rel="stylesheet" href="{NOT_FOR_HUBS}">{head}</head>
<body><h1>{title}</h1><ul>{anchors}</ul></body></html>""".encode()


def _urlset(base: str, entries: list[tuple[str, str]], news: bool = False) -> bytes:
    items = []
    for path, when in entries:
        extra = (
            f"<news:news><news:publication><news:name>Gazette</news:name>"
            f"<news:language>en</news:language></news:publication>"
            f"<news:publication_date>{when}</news:publication_date>"
            f"<news:title>t</news:title></news:news>"
            if news else f"<lastmod>{when}</lastmod>"
        )
        items.append(f"<url><loc>{base}{path}</loc>{extra}</url>")
    namespace = ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"' if news else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"{namespace}>'
        + "".join(items) + "</urlset>"
    ).encode()


def site_routes(base: str = "") -> dict[str, Route]:
    """The site. Sitemap ``<loc>``s and feed links are paths by default (the port is
    only known once the server runs); the crawler resolves them against their file."""
    feed_head = (
        '<link rel="alternate" type="application/rss+xml" href="/feeds/latest.rss">'
        '<link rel="alternate" type="application/atom+xml" title="Atom" '
        'href="/feeds/atom.xml">'
    )
    routes = {
        "/robots.txt": Route(
            body=b"User-agent: *\nDisallow: /private/\n\nSitemap: /news-sitemap.xml\n",
            content_type=b"text/plain",
        ),
        "/": Route(body=_hub("Loopback Gazette", [
            "/world/", "/local/", "/tag/harbour", "/author/jane-doe", "/login",
            SECTION_ARTICLE, DISALLOWED_ARTICLE, LOOKALIKE,
        ], feed_head), gzip=True),
        "/world/": Route(body=_hub("World", [SECTION_ARTICLE, "/"])),
        "/local/": Route(body=_hub("Local", [LOCAL_ARTICLE, "/"]), chunked=True),
        "/tag/harbour": Route(body=_hub("Tag: harbour", [LOCAL_ARTICLE])),
        "/author/jane-doe": Route(body=_hub("Jane Doe", [SECTION_ARTICLE])),
        "/login": Route(body=_hub("Log in", [])),
        LOOKALIKE: Route(body=_hub("Photo of the day", ["/"])),
        "/sitemap_index.xml": Route(
            body=(
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<sitemap><loc>{base}/sitemaps/posts-1.xml</loc>"
                f"<lastmod>{RECENT}</lastmod></sitemap>"
                f"<sitemap><loc>{base}/sitemaps/posts-old.xml.gz</loc>"
                f"<lastmod>{OLD}</lastmod></sitemap></sitemapindex>"
            ).encode(),
            content_type=b"application/xml",
        ),
        "/sitemaps/posts-1.xml": Route(
            body=_urlset(base, [(INDEX_ARTICLE, RECENT), (SECTION_ARTICLE, RECENT),
                                ("/world/", RECENT)]),
            content_type=b"application/xml",
        ),
        "/sitemaps/posts-old.xml.gz": Route(
            body=gzip.compress(_urlset(base, [(OLD_ARTICLE, OLD)]), mtime=0),
            content_type=b"application/x-gzip",
        ),
        "/news-sitemap.xml": Route(
            body=_urlset(base, [(NEWS_SITEMAP_ARTICLE, RECENT), (DISALLOWED_ARTICLE, RECENT),
                                (OLD_ARTICLE, OLD)], news=True),
            content_type=b"application/xml",
        ),
        "/feeds/latest.rss": Route(
            body=(
                '<?xml version="1.0"?><rss version="2.0"><channel><title>Gazette</title>'
                f"<link>{base}/</link><description>d</description>"
                f"<item><title>River</title><link>{base}{RSS_ARTICLE}</link>"
                f"<pubDate>{NOW.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate></item>"
                "</channel></rss>"
            ).encode(),
            content_type=b"application/rss+xml",
        ),
        "/feeds/atom.xml": Route(
            body=(
                '<?xml version="1.0" encoding="utf-8"?>'
                '<feed xmlns="http://www.w3.org/2005/Atom"><title>Gazette</title>'
                f'<id>{base}/</id><updated>{RECENT}</updated>'
                f'<entry><title>Bakery</title><link href="{base}{ATOM_ARTICLE}"/>'
                f"<id>{base}{ATOM_ARTICLE}</id><updated>{RECENT}</updated></entry></feed>"
            ).encode(),
            content_type=b"application/atom+xml",
        ),
        "/static/site.css": Route(
            body=b'@import url("print.css");\nbody{font-family:Serif}\n'
            b'@font-face{font-family:Serif;src:url(fonts/serif.woff2) format("woff2")}\n'
            b"header{background:url('/static/masthead.png')}\n",
            content_type=b"text/css",
            gzip=True,
        ),
        "/static/print.css": Route(body=b"@media print{nav{display:none}}",
                                   content_type=b"text/css"),
        "/static/fonts/serif.woff2": Route(body=b"wOF2\x00fontbytes",
                                           content_type=b"font/woff2"),
        "/static/masthead.png": Route(body=b"\x89PNG\r\n\x1a\nmasthead",
                                      content_type=b"image/png"),
        "/static/app.js": Route(body=b"console.log('gazette');",
                                content_type=b"application/javascript"),
        NOT_FOR_HUBS: Route(body=b"body{}", content_type=b"text/css"),
        DISALLOWED_ARTICLE: Route(body=_article(SECTION_ARTICLE, jsonld=False)),
    }
    for n, path in enumerate(ARTICLES):
        routes[path] = Route(body=_article(path, jsonld=n % 2 == 0))
        routes[PHOTOS[path]] = Route(body=b"\x89PNG\r\n\x1a\nphoto%d" % n,
                                     content_type=b"image/png")
    return routes


def config_yaml(base: str, name: str = "loopnews") -> str:
    return f"""\
name: {name}
title: Loopback Gazette
region: Test
language: en
home: ["{base}/"]
sections: ["{base}/world/", "{base}/local/"]
feeds: ["{base}/feeds/latest.rss"]
sitemaps: ["{base}/sitemap_index.xml"]
paywall:
  declared_override: metered
"""
