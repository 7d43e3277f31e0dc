"""A loopback news site made of real publishers' pages (``../shared/corpus/fundus``).

Each of the corpus's pages (50-300 KB of real markup, scripts, JSON-LD) is the
template of many articles: its ``<a href>`` targets are rewritten to other
articles of the loopback site, its canonical link to the article itself, and
every embedded resource (scripts, stylesheets, images, ``url()`` in styles) to
one of a few shared ``/static/`` files, so nothing points off the loopback
host and each article is a distinct payload. Home and section pages list the
articles, as a real site's hubs do.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from pathlib import Path

import lxml.html

from archiver.demo.server import Route
from archiver.page import CapturedPage

ROOT = Path(__file__).resolve().parents[2]
FUNDUS = ROOT.parent / "shared" / "corpus" / "fundus"
SECTIONS = 20
STATIC_FILES = 40
_LINK_SLOT = "@@LINK-SLOT@@"
_SELF_SLOT = "@@SELF-SLOT@@"
_SLOT = re.compile("@@(LINK|SELF)-SLOT@@")
_RESOURCE_ATTRIBUTES = ("src", "data-src", "poster")
_CSS_URL = re.compile(r"url\(\s*['\"]?[^'\")\s]+['\"]?\s*\)|@import\s+['\"][^'\"]+['\"]",
                      re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # lxml refuses them in text
# Links that would lead a crawler off the page's own content: feeds, AMP and
# alternate-language versions, preconnects. Dropped rather than rewritten.
_DROPPED_LINK_RELS = frozenset({"alternate", "amphtml", "preconnect", "dns-prefetch",
                                "prefetch", "manifest", "search", "prev", "next"})


def available() -> bool:
    return FUNDUS.is_dir() and any(FUNDUS.glob("*/*.html.gz"))


def _static(value: str, extension: str) -> str:
    return f"/static/{zlib.crc32(value.encode()) % STATIC_FILES}{extension}"


def _extension(kind_of: str) -> str:
    return {"script": ".js", "link": ".css", "img": ".jpg", "source": ".jpg",
            "video": ".jpg"}.get(kind_of, ".bin")


def _template(body: bytes, url: str) -> list[str]:
    """The page as text split at its link slots (``LINK`` for an ``<a href>``,
    ``SELF`` for the canonical link), every other URL made local."""
    tree = CapturedPage(url, body).tree
    for base in tree.iterfind(".//base"):
        base.drop_tree()
    for meta in tree.iterfind(".//meta"):
        if meta.get("charset") is not None or (meta.get("http-equiv") or "").lower() in (
            "content-type", "refresh"
        ):
            meta.drop_tree()
    for element in list(tree.iter()):
        if not isinstance(element.tag, str):
            continue
        if element.tag == "a" and element.get("href") is not None:
            element.set("href", _LINK_SLOT)
        elif element.tag == "link" and element.get("href") is not None:
            rels = set((element.get("rel") or "").lower().split())
            if "canonical" in rels:
                element.set("href", _SELF_SLOT)
            elif rels & _DROPPED_LINK_RELS or not rels:
                element.drop_tree()
                continue
            else:
                element.set("href", _static(element.get("href"), ".css"))
        for attribute in _RESOURCE_ATTRIBUTES:
            value = element.get(attribute)
            if value and not value.startswith("data:"):
                element.set(attribute, _static(value, _extension(element.tag)))
        if element.get("srcset"):
            element.set("srcset", _static(element.get("srcset"), ".jpg"))
        if element.get("style") and "url(" in element.get("style"):
            element.set("style", _CSS_URL.sub("url(/static/0.png)", element.get("style")))
        if element.tag == "style" and element.text:
            element.text = _CONTROL.sub("", _CSS_URL.sub("url(/static/0.png)", element.text))
        if element.tag in ("iframe", "form"):
            element.attrib.pop("src", None)
            element.attrib.pop("action", None)
    html = lxml.html.tostring(tree, encoding="unicode", doctype="<!DOCTYPE html>")
    return _SLOT.split(html)


def templates() -> list[list[str]]:
    """One template per corpus page, in a stable order."""
    urls = {}
    labels = FUNDUS / "labels.jsonl"
    for line in labels.read_text(encoding="utf-8").splitlines():
        label = json.loads(line)
        urls[label["file"]] = label["url"]
    found = []
    for path in sorted(FUNDUS.glob("*/*.html.gz")):
        name = f"{path.parent.name}/{path.name}"
        found.append(_template(gzip.decompress(path.read_bytes()), urls.get(name, "http://x/")))
    return found


def article_path(n: int) -> str:
    return f"/article/{n}"


def _article(n: int, articles: int, template: list[str]) -> bytes:
    """Article ``n``: its template with each link pointing at another article and
    its canonical link at itself."""
    parts = [template[0]]
    for slot in range(1, len(template), 2):
        target = n if template[slot] == "SELF" else (n * 31 + slot * 7919) % articles
        parts += [article_path(target), template[slot + 1]]
    return "".join(parts).encode("utf-8")


def site_routes(articles: int) -> dict[str, Route]:
    """Home, sections, every article (gzipped once here) and the shared static files."""
    pages = templates()
    html = b"text/html; charset=utf-8"
    routes = {"/robots.txt": Route(body=b"User-agent: *\nAllow: /\n", content_type=b"text/plain")}
    for s in range(SECTIONS):
        links = "".join(f'<a href="{article_path(n)}">Article {n}</a>'
                        for n in range(s, articles, SECTIONS))
        routes[f"/section/{s}"] = Route(body=f"<html><body>{links}</body></html>".encode())
    home = "".join(f'<a href="/section/{s}">Section {s}</a>' for s in range(SECTIONS))
    routes["/"] = Route(body=f"<html><body>{home}</body></html>".encode())
    for n in range(articles):
        body = gzip.compress(_article(n, articles, pages[n % len(pages)]), compresslevel=1,
                             mtime=0)
        routes[article_path(n)] = Route(body=body, content_type=html, etag=f'"a{n}"'.encode(),
                                        headers=[(b"Content-Encoding", b"gzip")])
    for k in range(STATIC_FILES):
        for extension, kind in ((".js", b"text/javascript"), (".css", b"text/css"),
                                (".jpg", b"image/jpeg"), (".png", b"image/png"),
                                (".bin", b"application/octet-stream")):
            routes[f"/static/{k}{extension}"] = Route(body=b"/* static */", content_type=kind)
    return routes
