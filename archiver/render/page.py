"""Rendering one archived article in a fresh browser context.

The browser never touches the network. The article's document is answered
from the response Scrapy already fetched and archived; every other request the
page makes goes through ``fetch`` (Scrapy's downloader, so it is archived with
its wire bytes, robots.txt and the site's politeness apply, and only hosts the
site config allows are reached) or is aborted. Non-GET requests (beacons,
form posts, analytics) are aborted: we do not act on a reader's behalf. So
every subresource in the WARC is wire bytes; nothing the browser made is ever
written as a ``response``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

from archiver.capture.records import header_pairs
from archiver.paywall.rendered import RenderedFacts, hidden_text_words, rules
from archiver.render.consent import Policy, banner_selectors, managers

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page, Route
    from playwright.async_api import Request as BrowserRequest

logger = logging.getLogger(__name__)

PROBE_FILE = Path(__file__).with_name("data") / "probe.js"
VIEWPORT = {"width": 1280, "height": 900}
# Headers that describe Scrapy's transfer, not the decoded body handed to the browser.
TRANSFER_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})
CONSENT_CLICK_TIMEOUT_MS = 1000

RequestFor = Callable[[str, str], Request | None]
"""``(url, Playwright resource type)`` to a Scrapy request, or None to block it."""
Download = Callable[[Request], Awaitable[Response]]


@cache
def probe_script() -> str:
    return PROBE_FILE.read_text(encoding="utf-8")


@dataclass
class PageRendering:
    """What one render produced: the DOM, the screenshot and the measurements."""

    dom: bytes
    screenshot: bytes
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
    """Answers each browser request from Scrapy, or aborts it."""

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


async def _dismiss_consent(page: Page, policy: Policy) -> list[str]:
    """Click each shown CMP's refuse (or, opted in, accept) button; what was clicked."""
    actions: list[str] = []
    if policy == "off":
        return actions
    for manager in managers():
        for selector in manager.buttons(policy):
            button = page.locator(selector).first
            try:
                if not await button.is_visible():
                    continue
                await button.click(timeout=CONSENT_CLICK_TIMEOUT_MS)
            except Exception as error:  # a banner that moved or vanished: recorded, not fatal
                actions.append(f"{manager.name}: {selector} not clickable ({type(error).__name__})")
                continue
            actions.append(f"{manager.name}: clicked {selector}")
            break
    return actions


async def render_page(
    browser: Browser,
    document: Response,
    raw_words: int,
    request_for: RequestFor,
    download: Download,
    *,
    settle_ms: int,
    timeout_ms: int,
    consent: Policy,
    cookies: list[dict[str, Any]] | None = None,
) -> PageRendering:
    """Render ``document`` (an archived response) and measure what a reader sees.

    Each page gets its own context, closed before returning: contexts hold the
    page's memory, cookies and caches, so closing them keeps Chromium's memory
    flat over a long crawl and keeps one article's state out of the next.
    """
    router = _Router(document, request_for, download)
    context = await browser.new_context(viewport=VIEWPORT, service_workers="block")
    try:
        if cookies:
            await context.add_cookies(cookies)
        context.set_default_timeout(timeout_ms)
        await context.route("**/*", router)
        page = await context.new_page()
        await page.goto(document.url, wait_until="load", timeout=timeout_ms)
        await page.wait_for_timeout(settle_ms)
        actions = await _dismiss_consent(page, consent)
        if actions:
            await page.wait_for_timeout(settle_ms)
        probe = await page.evaluate(probe_script(), {
            "minWords": hidden_text_words(raw_words),
            "overlayCoverage": rules()["overlay_coverage"],
            "banners": banner_selectors(),
        })
        dom = (await page.content()).encode("utf-8")
        screenshot = await page.screenshot(full_page=True, type="png")
    finally:
        await context.close()
    return PageRendering(dom=dom, screenshot=screenshot,
                         facts=RenderedFacts.from_probe(probe, actions),
                         fetched=router.fetched, blocked=router.blocked)
