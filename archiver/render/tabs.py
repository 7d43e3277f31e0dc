"""Browser tabs kept between articles: one context per site, a bounded number of tabs.

A fresh context and page per article cost a renderer process each (about
0.25 CPU s, ``benchmarks/render``). Here each site gets one context, as a
reader's browser profile would, and its tabs navigate from one article to the
next. That also keeps what a reader's browser keeps: the site's cookies, the
consent choice clicked once, local storage, and so a metered wall counting
articles in it is seen as a reader sees it; a context per article reset the
meter on every page, which is what a crawler evading a meter does.

Chromium's memory stays bounded: at most ``limit`` tabs are open in all (an
idle tab of the least recently used site is closed to open another site's), a
site's context closes with its last tab, and a tab is closed after
``renders_per_tab`` articles so a long crawl does not keep one page's heap
growing.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from archiver.render.page import VIEWPORT, Tab

if TYPE_CHECKING:
    from playwright.async_api import Browser, BrowserContext


class TabPool:
    def __init__(self, browser: Browser, limit: int, renders_per_tab: int,
                 cookies: list[dict[str, Any]] | None, timeout_ms: int) -> None:
        self.browser = browser
        self.limit = limit
        self.renders_per_tab = renders_per_tab
        self.cookies = cookies
        self.timeout_ms = timeout_ms
        self._contexts: dict[str, BrowserContext] = {}
        self._idle: OrderedDict[str, list[Tab]] = OrderedDict()
        self._open: dict[str, int] = {}
        self._lock = asyncio.Lock()

    @property
    def open_tabs(self) -> int:
        return sum(self._open.values())

    async def take(self, site: str) -> Tab:
        """An idle tab of ``site``'s context, or a new one."""
        idle = self._idle.get(site)
        if idle:
            return idle.pop()
        self._open[site] = self._open.get(site, 0) + 1
        try:
            if self.open_tabs > self.limit:
                await self._close_idle_tab()
            async with self._lock:
                context = self._contexts.get(site) or await self._new_context(site)
            return await Tab.open(context)
        except BaseException:
            await self._forget(site)
            raise

    async def give_back(self, site: str, tab: Tab) -> None:
        if tab.renders >= self.renders_per_tab:
            await self.discard(site, tab)
            return
        self._idle.setdefault(site, []).append(tab)
        self._idle.move_to_end(site)

    async def discard(self, site: str, tab: Tab) -> None:
        """Close a tab that is done (or broken: a failed render's page is not reused)."""
        # A tab whose renderer crashed may fail to close; it is gone either way.
        with contextlib.suppress(Exception):
            await tab.close()
        await self._forget(site)

    async def close(self) -> None:
        contexts = list(self._contexts.values())
        self._contexts.clear()
        self._idle.clear()
        self._open.clear()
        for context in contexts:
            await context.close()

    async def _new_context(self, site: str) -> BrowserContext:
        context = await self.browser.new_context(viewport=VIEWPORT, service_workers="block")
        context.set_default_timeout(self.timeout_ms)
        if self.cookies:
            await context.add_cookies(self.cookies)
        self._contexts[site] = context
        return context

    async def _close_idle_tab(self) -> None:
        """Make room: close an idle tab, of the site that rendered least recently."""
        for site, idle in self._idle.items():
            if idle:
                await self.discard(site, idle.pop(0))
                return

    async def _forget(self, site: str) -> None:
        """One tab of ``site`` fewer; its context closes with its last tab."""
        self._open[site] -= 1
        if self._open[site] == 0:
            del self._open[site]
            self._idle.pop(site, None)
            context = self._contexts.pop(site, None)
            if context is not None:
                await context.close()
