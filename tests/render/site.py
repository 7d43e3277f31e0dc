"""A loopback news site whose walls are drawn by script, for the rendered-capture tests.

``/news/2026/11/soft-wall`` ships its whole text; ``/static/wall.js`` hides it
after load and draws a full-viewport overlay of :data:`OVERLAY_COLOUR` (a
colour no default style has, so a screenshot shows whether the overlay was
drawn). ``/news/2026/11/covered-wall`` leaves its text in place and shown, under
an overlay, with scrolling locked (``/static/cover.js``);
``/news/2026/11/promo-banner`` has a large fixed banner over free text, scrolling
free (``/static/promo.js``). ``/news/2026/11/cookie-banner`` shows a OneTrust-style consent banner
whose reject button removes it. ``/news/2026/11/open-article`` is free. Every
article also embeds an image from a host that is not loopback: the browser must
never reach it.
"""

from __future__ import annotations

from archiver.demo.server import Route
from tests.catalog.site import paragraphs

OVERLAY_COLOUR = (201, 31, 122)
OFFSITE_IMAGE = "http://cdn.example.invalid/logo.png"
MARKER = "Harbourmaster Quillon"
"""A phrase in every article's raw text (the first paragraph)."""

WALL_JS = b"""window.addEventListener("load", () => {
  document.querySelector("article").style.display = "none";
  const overlay = document.createElement("div");
  overlay.id = "reg-wall";
  overlay.style.cssText = "position:fixed;inset:0;background:rgb(201,31,122);z-index:99;" +
    "color:#fff;font:32px sans-serif;padding:80px";
  overlay.textContent = "Subscribe to keep reading this article";
  document.body.appendChild(overlay);
  document.documentElement.style.overflow = "hidden";
});
"""

COVER_JS = b"""window.addEventListener("load", () => {
  const overlay = document.createElement("div");
  overlay.className = "piano-offer";
  overlay.style.cssText = "position:fixed;left:0;right:0;top:0;bottom:0;z-index:99;" +
    "background:linear-gradient(rgba(255,255,255,.6),#fff 40%);padding-top:60vh";
  overlay.textContent = "Already a subscriber? Log in";
  document.body.appendChild(overlay);
  document.documentElement.style.overflow = "hidden";
  document.body.style.overflow = "hidden";
});
"""

PROMO_JS = b"""window.addEventListener("load", () => {
  const banner = document.createElement("div");
  banner.id = "app-promo";
  banner.style.cssText = "position:fixed;left:0;right:0;bottom:0;height:60vh;z-index:9;" +
    "background:#eee";
  banner.textContent = "Get our app";
  document.body.appendChild(banner);
});
"""

CONSENT_BANNER = b"""<div id="onetrust-banner-sdk" style="position:fixed;left:0;right:0;bottom:0;
height:70%;background:#222;color:#fff;z-index:50">We value your privacy
<button id="onetrust-accept-btn-handler"
  onclick="document.cookie='consent=all';this.parentNode.remove()">Accept all</button>
<button id="onetrust-reject-all-handler"
  onclick="document.cookie='consent=none';this.parentNode.remove()">Reject all</button></div>"""


def article(title: str, seed: int, extra: bytes = b"") -> bytes:
    text = "".join(f"<p>{p}</p>\n" for p in paragraphs(seed, 12))
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{title}</title><meta property="og:type" content="article">
<link rel="stylesheet" href="/static/site.css">
<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "NewsArticle",
"headline": "{title}", "datePublished": "2026-11-23T08:00:00Z"}}</script>
</head><body><header><a href="/">The Loopback Ledger</a>
<img src="{OFFSITE_IMAGE}" alt=""></header>
<main><article><h1>{title}</h1><p>{MARKER} opened the harbour gates at dawn.</p>
{text}</article></main></body></html>""".encode() + extra


def render_routes() -> dict[str, Route]:
    soft = article("Soft wall over the harbour", 1).replace(
        b"</head>", b'<script src="/static/wall.js"></script></head>')
    cookie = article("Cookie banner on the quay", 2).replace(
        b"</body>", CONSENT_BANNER + b"</body>")
    covered = article("Covered wall at the lock", 4).replace(
        b"</head>", b'<script src="/static/cover.js"></script></head>')
    promo = article("Promo banner at the pier", 5).replace(
        b"</head>", b'<script src="/static/promo.js"></script></head>')
    links = "".join(f'<li><a href="/news/2026/11/{slug}">{slug}</a></li>'
                    for slug in ("soft-wall", "cookie-banner", "open-article", "covered-wall",
                                 "promo-banner"))
    return {
        "/": Route(body=f"<html><body><h1>Ledger</h1><ul>{links}</ul></body></html>".encode()),
        "/robots.txt": Route(body=b"User-agent: *\nAllow: /\n", content_type=b"text/plain"),
        "/news/2026/11/soft-wall": Route(body=soft, gzip=True),
        "/news/2026/11/cookie-banner": Route(body=cookie),
        "/news/2026/11/open-article": Route(body=article("Open article on the ferry", 3)),
        "/news/2026/11/covered-wall": Route(body=covered),
        "/news/2026/11/promo-banner": Route(body=promo),
        "/static/wall.js": Route(body=WALL_JS, content_type=b"text/javascript"),
        "/static/cover.js": Route(body=COVER_JS, content_type=b"text/javascript"),
        "/static/promo.js": Route(body=PROMO_JS, content_type=b"text/javascript"),
        "/static/site.css": Route(body=b"body { font-family: serif; }\n",
                                  content_type=b"text/css"),
    }
