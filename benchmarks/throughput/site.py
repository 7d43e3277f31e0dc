"""A generated loopback news site for throughput runs: section pages and articles.

Articles are sized like real ones (tens of KB of markup around a few hundred
words), so extraction and detection cost what they cost on a real crawl.
"""

from __future__ import annotations

import gzip
import random

from archiver.demo.server import Route

WORDS = [
    "council", "harbour", "budget", "library", "festival", "river", "market", "school",
    "tram", "station", "winter", "summer", "residents", "mayor", "plan", "vote", "street",
    "square", "museum", "bridge", "regional", "minister", "talks", "water", "grid",
    "cooperation", "hospital", "police", "court", "teachers", "farmers", "fishing", "boats",
]


def _paragraphs(rng: random.Random, count: int) -> str:
    return "".join(
        "<p>" + " ".join(rng.choice(WORDS) for _ in range(60)).capitalize() + ".</p>"
        for _ in range(count)
    )


def _chrome(rng: random.Random) -> str:
    """Navigation, related cards and footer: the bulk of a real page's markup."""
    cards = "".join(
        f'<div class="card"><a href="/section/{n % 10}"><img src="/x.png" alt="">'
        f"<span>{' '.join(rng.choice(WORDS) for _ in range(8))}</span></a></div>"
        for n in range(120)
    )
    return f'<nav><a href="/">Home</a><a href="/subscribe">Subscribe</a></nav>{cards}'


def article_page(n: int, links: list[int]) -> bytes:
    rng = random.Random(n)
    related = "".join(f'<a href="/news/{k}">Story {k}</a>' for k in links)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Story {n}</title><meta property='og:type' content='article'>"
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": '
        f'"Story {n}", "datePublished": "2026-11-20"}}</script></head><body>'
        f"{_chrome(rng)}<article><h1>Story {n}</h1>{_paragraphs(rng, 8)}</article>"
        f"<aside>{related}</aside><footer>Footer</footer></body></html>"
    ).encode()


def site_routes(articles: int) -> dict[str, Route]:
    routes = {"/robots.txt": Route(body=b"User-agent: *\nAllow: /\n", content_type=b"text/plain")}
    sections = 10
    for s in range(sections):
        members = range(s, articles, sections)
        links = "".join(f'<a href="/news/{n}">Story {n}</a>' for n in members)
        routes[f"/section/{s}"] = Route(body=f"<html><body>{links}</body></html>".encode())
    home = "".join(f'<a href="/section/{s}">Section {s}</a>' for s in range(sections))
    routes["/"] = Route(body=f"<html><body>{home}</body></html>".encode())
    for n in range(articles):
        # Compressed once here, not per request: the server must not be the bottleneck.
        page = gzip.compress(article_page(n, [(n + k) % articles for k in (1, 7, 31)]), mtime=0)
        routes[f"/news/{n}"] = Route(body=page, headers=[(b"Content-Encoding", b"gzip")])
    return routes
