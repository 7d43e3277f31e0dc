"""Links of a captured page, read from the tree already parsed for extraction.

Scrapy's LinkExtractor would parse the page a second time; reading ``href``
attributes off the cached lxml tree keeps to one parse per page.
"""

from __future__ import annotations

from urllib.parse import urldefrag, urljoin

from scrapy.linkextractors import IGNORED_EXTENSIONS
from scrapy.utils.url import url_has_any_extension

from archiver.page import CapturedPage

FOLLOWED_SCHEMES = ("http://", "https://")


def page_links(page: CapturedPage) -> list[str]:
    """Absolute, de-fragmented ``<a href>`` targets, in document order, once each."""
    base = page.tree.base_url or page.url
    base_href = page.tree.find(".//base[@href]")
    if base_href is not None:
        base = urljoin(page.url, base_href.get("href"))
    seen: dict[str, None] = {}
    for anchor in page.tree.iterfind(".//a[@href]"):
        href = (anchor.get("href") or "").strip()
        if not href:
            continue
        url = urldefrag(urljoin(base, href))[0]
        if url.startswith(FOLLOWED_SCHEMES) and not url_has_any_extension(
            url, IGNORED_EXTENSIONS
        ):
            seen.setdefault(url, None)
    return list(seen)
