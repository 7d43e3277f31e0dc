"""Rendering one archived article in a tab of its site's browser context.

The browser never touches the network. The article's document is answered
from the response Scrapy already fetched and archived; every other request the
page makes goes through ``fetch`` (Scrapy's downloader, so it is archived with
its wire bytes, robots.txt and the site's politeness apply, and only hosts the
site config allows are reached) or is aborted. Non-GET requests (beacons,
form posts, analytics) are aborted: we do not act on a reader's behalf. So
every subresource in the WARC is wire bytes; nothing the browser made is ever
written as a ``response``.

A tab (:class:`Tab`) renders one article after another of the same site, as a
reader's tab would: a navigation to the next article reuses the tab's renderer
process, which a fresh context and page per article had to start again (about
0.25 CPU s of the measured 0.9 per article, ``benchmarks/render``).
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

from archiver.capture.records import header_pairs
from archiver.paywall.rendered import RenderedFacts, hidden_text_words, rules
from archiver.render.consent import Policy, banner_selectors, managers

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext, CDPSession, Page, Route
    from playwright.async_api import Request as BrowserRequest

logger = logging.getLogger(__name__)

DATA = Path(__file__).with_name("data")
VIEWPORT = {"width": 1280, "height": 900}
# Headers that describe Scrapy's transfer, not the decoded body handed to the browser.
TRANSFER_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})
CONSENT_CLICK_TIMEOUT_MS = 5000
"""A click waits for the button to be stable and hit-testable; 1 s failed on a loaded
machine (the test suite on 2 shared cores), and the wait is spent only on a click."""

RequestFor = Callable[[str, str], Request | None]
"""``(url, Playwright resource type)`` to a Scrapy request, or None to block it."""
Download = Callable[[Request], Awaitable[Response]]


@cache
def script(name: str) -> str:
    """A page script from ``data/`` (``probe.js``, ``consent.js``)."""
    return (DATA / name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Screenshot:
    """A PNG of the page from its top, ``height`` pixels of its ``page_height``."""

    png: bytes
    width: int
    height: int
    page_height: int

    @property
    def clipped(self) -> bool:
        return self.height < self.page_height


@dataclass
class PageRendering:
    """What one render produced: the DOM, the screenshot and the measurements."""

    dom: bytes
    screenshot: Screenshot
    facts: RenderedFacts
    fetched: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)


def browser_headers(response: Response) -> dict[str, str]:
    """The response's headers for the browser, minus those about Scrapy's transfer."""
    headers: dict[str, str] = {}
    for name, value in header_pairs(response.headers):
        if name.lower() not in TRANSFER_HEADERS:
            headers[name] = f"{headers[name]}\n{value}" if name in headers else value
    return headers


class _Router:
    """Answers each browser request of one render from Scrapy, or aborts it."""

    def __init__(self, document: Response, request_for: RequestFor, download: Download):
        self.document = document
        self.request_for = request_for
        self.download = download
        self.fetched: list[str] = []
        self.blocked: list[str] = []

    async def __call__(self, route: Route, request: BrowserRequest) -> None:
        url = request.url
        if url == self.document.url and request.resource_type == "document":
            await self._fulfil(route, self.document)
            return
        scrapy_request = (self.request_for(url, request.resource_type)
                          if request.method == "GET" else None)
        if scrapy_request is None:
            self.blocked.append(f"{request.method} {url}")
            await route.abort("blockedbyclient")
            return
        try:
            response = await self.download(scrapy_request)
        except IgnoreRequest:
            self.blocked.append(f"{request.method} {url}")
            await route.abort("blockedbyclient")
            return
        except Exception as error:  # the capture middleware archived the failure
            logger.debug("%s: subresource %s failed: %s", self.document.url, url, error)
            await route.abort("failed")
            return
        self.fetched.append(url)
        await self._fulfil(route, response)

    @staticmethod
    async def _fulfil(route: Route, response: Response) -> None:
        await route.fulfill(status=response.status, headers=browser_headers(response),
                            body=response.body)


@dataclass
class Tab:
    """A page of a site's context, kept open between that site's articles."""

    page: Page
    cdp: CDPSession
    renders: int = 0

    @classmethod
    async def open(cls, context: BrowserContext) -> Tab:
        page = await context.new_page()
        return cls(page, await context.new_cdp_session(page))

    async def close(self) -> None:
        await self.page.close()


async def _dismiss_consent(page: Page, policy: Policy) -> list[str]:
    """Click each shown CMP's refuse (or, opted in, accept) button; what was clicked.

    Which buttons are shown is asked in one script (``data/consent.js``), not one
    visibility query per selector: 23 round trips through Playwright's driver per
    article cost more CPU than the rest of the consent handling."""
    actions: list[str] = []
    if policy == "off":
        return actions
    shown = await page.evaluate(script("consent.js"), [
        [manager.name, list(manager.buttons(policy))] for manager in managers()])
    for name, selector in shown:
        try:
            await page.locator(selector).first.click(timeout=CONSENT_CLICK_TIMEOUT_MS)
        except Exception as error:  # a banner that moved or vanished: recorded, not fatal
            actions.append(f"{name}: {selector} not clickable ({type(error).__name__})")
            continue
        actions.append(f"{name}: clicked {selector}")
    return actions


async def _screenshot(tab: Tab, max_height: int) -> Screenshot:
    """The page from its top, at most ``max_height`` pixels tall, as PNG.

    Chromium's own capture (``Page.captureScreenshot``) with ``optimizeForSpeed``:
    a faster zlib level for a somewhat larger PNG, where Playwright's
    ``page.screenshot`` offers no such choice. Very long pages are cut at
    ``max_height``, and the record says so (:class:`Screenshot`)."""
    size = await tab.cdp.send("Page.getLayoutMetrics")
    content = size["cssContentSize"]
    width = max(1, int(content["width"]))
    page_height = max(1, int(content["height"]))
    height = min(page_height, max_height)
    shot = await tab.cdp.send("Page.captureScreenshot", {
        "format": "png", "optimizeForSpeed": True, "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
    })
    return Screenshot(base64.b64decode(shot["data"]), width, height, page_height)


async def render_page(
    tab: Tab,
    document: Response,
    raw_words: int,
    request_for: RequestFor,
    download: Download,
    *,
    settle_ms: int,
    timeout_ms: int,
    consent: Policy,
    max_height: int,
) -> PageRendering:
    """Render ``document`` (an archived response) in ``tab``; what a reader sees."""
    router = _Router(document, request_for, download)
    page = tab.page
    await page.route("**/*", router)
    try:
        await page.goto(document.url, wait_until="load", timeout=timeout_ms)
        await page.wait_for_timeout(settle_ms)
        actions = await _dismiss_consent(page, consent)
        if actions:
            await page.wait_for_timeout(settle_ms)
        probe = await page.evaluate(script("probe.js"), {
            "minWords": hidden_text_words(raw_words),
            "overlayCoverage": rules()["overlay_coverage"],
            "banners": banner_selectors(),
        })
        dom = (await page.content()).encode("utf-8")
        screenshot = await _screenshot(tab, max_height)
    finally:
        await page.unroute("**/*", router)
    tab.renders += 1
    return PageRendering(dom=dom, screenshot=screenshot,
                         facts=RenderedFacts.from_probe(probe, actions),
                         fetched=router.fetched, blocked=router.blocked)
