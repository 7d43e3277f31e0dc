"""The system's Chromium, driven by Playwright: one browser per crawl, never downloaded.

Playwright normally runs a browser build it downloads itself; an archiving host
has Debian's ``chromium`` instead (and may have no internet), so the browser is
always the executable ``ARCHIVER_RENDER_CHROMIUM`` names, with the flags that
keep it from phoning home (component updates, sync, background networking).
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


class RenderUnavailable(RuntimeError):
    """Rendering was asked for, but Playwright or Chromium is missing."""


def chromium_path(setting: str) -> str:
    """The Chromium executable (a path, or a name looked up on ``PATH``)."""
    path = setting if os.sep in setting else shutil.which(setting)
    if not path or not os.access(path, os.X_OK):
        raise RenderUnavailable(
            f"rendering needs Chromium at {setting!r} (Debian: apt-get install chromium; "
            "or set ARCHIVER_RENDER_CHROMIUM to its path)")
    return path


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
