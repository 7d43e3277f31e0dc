"""The system's Chromium, driven by Playwright: one browser per crawl, never downloaded.

Playwright normally runs a browser build it downloads itself; an archiving host
has Debian's Chromium instead (and may have no internet), so the browser is
always an installed executable: the one ``ARCHIVER_RENDER_CHROMIUM`` names, or
by default the first of :data:`DEFAULT_BROWSERS` found on ``PATH``, with the
flags that keep it from phoning home (component updates, sync, background
networking).
"""

from __future__ import annotations

import os
import shutil
from importlib.util import find_spec
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.async_api import Browser, Playwright

CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
)
INSTALL_HINT = "pip install 'news-archiver[render]'"
DEFAULT_BROWSERS = ("chromium-headless-shell", "chromium")
"""Tried in order when ``ARCHIVER_RENDER_CHROMIUM`` is empty. Debian's
``chromium-headless-shell`` is the same Chromium build in its old headless mode,
without the desktop browser around the pages, and what Playwright itself runs
for headless pages. Measured with ``benchmarks/render`` (200 generated articles):
0.48 CPU s per article against the full browser's 0.61, its browser process 0.09
against 0.17. Pages see two differences: no ``window.chrome`` and an empty
``navigator.plugins``."""


class RenderUnavailable(RuntimeError):
    """Rendering was asked for, but Playwright or Chromium is missing."""


def chromium_path(setting: str) -> str:
    """The Chromium executable: ``setting`` (a path, or a name looked up on ``PATH``),
    or when it is empty the first of :data:`DEFAULT_BROWSERS` installed."""
    for candidate in (setting,) if setting else DEFAULT_BROWSERS:
        path = candidate if os.sep in candidate else shutil.which(candidate)
        if path and os.access(path, os.X_OK):
            return path
    wanted = repr(setting) if setting else " or ".join(DEFAULT_BROWSERS)
    raise RenderUnavailable(
        f"rendering needs Chromium ({wanted} not found; Debian: apt-get install "
        "chromium-headless-shell; or set ARCHIVER_RENDER_CHROMIUM to its path)")


def check_render_support(chromium: str) -> str:
    """The Chromium path, once Playwright and the browser are both there."""
    if find_spec("playwright") is None:
        raise RenderUnavailable(f"rendering needs Playwright: {INSTALL_HINT}")
    return chromium_path(chromium)


async def launch(chromium: str) -> tuple[Playwright, Browser]:
    """Start Playwright's driver and the system Chromium."""
    from playwright.async_api import async_playwright

    executable = check_render_support(chromium)
    playwright = await async_playwright().start()
    try:
        browser = await playwright.chromium.launch(
            executable_path=executable, args=list(CHROMIUM_FLAGS), headless=True
        )
    except BaseException:
        await playwright.stop()
        raise
    return playwright, browser
