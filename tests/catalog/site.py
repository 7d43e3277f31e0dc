"""A loopback news site with realistically sized pages, for recrawl tests.

Article pages are ~70 kB of HTML (~25 kB gzipped) (a regional news page with navigation,
JSON-LD and a long text), words drawn from a generated vocabulary so that gzip
compresses them about as much as real prose. Every page carries an ``ETag``
(some only ``Last-Modified``), so the server answers conditional requests.
"""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
from pathlib import Path

from archiver.demo.server import Route

SYLLABLES = ["ka", "lo", "ri", "ten", "mar", "sul", "be", "dor", "an", "vi", "qu", "es",
             "ha", "bor", "in", "ce", "lu", "tra", "mon", "de", "zi", "fa", "pel", "or"]
LAST_MODIFIED = b"Tue, 24 Nov 2026 08:00:00 GMT"


def vocabulary(seed: int = 7, size: int = 3000) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 4))) for _ in range(size)]


WORDS = vocabulary()


def paragraphs(seed: int, count: int, words: int = 110) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."
            for _ in range(count)]


def article_page(title: str, seed: int, paywalled: bool = False) -> bytes:
    """A full free article, or its paywalled version: a teaser and a subscribe gate."""
    declaration = (', "isAccessibleForFree": false, "hasPart": {"@type": "WebPageElement", '
                   '"isAccessibleForFree": false, "cssSelector": ".paywalled-content"}'
                   if paywalled else "")
    text = paragraphs(seed, 4 if paywalled else 90)
    body = "".join(f"<p>{p}</p>\n" for p in text)
    if paywalled:
        body += ('<div class="paywall-prompt" id="subscribe-gate"><h2>Subscribe to keep '
                 "reading</h2><p>This article is for subscribers. Get unlimited access to our "
                 'reporting for $100 per year.</p><a href="/subscribe">Subscribe now</a></div>')
    nav = "".join(f'<li><a href="/section/news#{n}">Section {n}</a></li>' for n in range(12))
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{title} | The Loopback Ledger</title>
<meta property="og:type" content="article"><meta property="og:title" content="{title}">
<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "NewsArticle",
"headline": "{title}", "datePublished": "2026-11-23T08:00:00Z",
"author": {{"@type": "Person", "name": "Karim Haddad"}}{declaration}}}</script>
</head><body><header><nav><a href="/">The Loopback Ledger</a><ul>{nav}</ul></nav></header>
<main><article><h1>{title}</h1><p class="byline">By Karim Haddad, 2026-11-23</p>
{body}</article></main>
<footer><p>&copy; 2026 The Loopback Ledger, served on 127.0.0.1.</p></footer>
</body></html>""".encode()


def listing(title: str, links: list[str]) -> bytes:
    items = "".join(f'<li><a href="{link}">{link}</a></li>' for link in links)
    return (f"<!DOCTYPE html><html><head><title>{title}</title></head><body><h1>{title}</h1>"
            f"<ul>{items}</ul></body></html>").encode()


def validated(body: bytes, tag: str, etag: bool = True) -> Route:
    """A page with an ``ETag`` (or, with ``etag=False``, only ``Last-Modified``)."""
    if etag:
        return Route(body=body, etag=f'"{tag}"'.encode(), last_modified=LAST_MODIFIED)
    return Route(body=body, last_modified=LAST_MODIFIED)


def catalog_rows(output: Path, query: str, *params: object) -> list[tuple]:
    with sqlite3.connect(output / "catalog.sqlite") as db:
        return db.execute(query, params).fetchall()


def warcio_check(files: list[str]) -> subprocess.CompletedProcess[str]:
    """``warcio check`` (digests and structure) as a researcher would run it."""
    return subprocess.run(
        [sys.executable, "-c", "from warcio.cli import main; main()", "check", *files],
        capture_output=True, text=True, timeout=120,
    )



def cataloged_paths(output: Path, base_url: str, crawl_id: str) -> set[str]:
    """Paths of the run's captures in the catalog (committed once their records are on disk)."""
    if not (output / "catalog.sqlite").exists():
        return set()
    try:
        rows = catalog_rows(output, "SELECT url FROM captures WHERE crawl_id = ?", crawl_id)
    except sqlite3.Error:  # the catalog or its tables are not there yet
        return set()
    return {url.removeprefix(base_url) for url, in rows}
