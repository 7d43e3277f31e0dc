"""One ``archiver crawl --render`` of the script-walled loopback site, shared by the tests."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

import pytest

from archiver.demo.server import RequestLog, serve
from archiver.render.browser import RenderUnavailable, chromium_path
from tests.crawling import CrawlOutput, Record, crawl
from tests.render.site import render_routes

SCREENSHOT_HEIGHT = 1000
"""Taller than the soft wall's page (its text hidden), shorter than the open article's."""


def require_rendering(browser: str = "") -> str:
    """The browser the crawl will run (``browser``, or the default one), else skip."""
    if find_spec("playwright") is None:
        pytest.skip("Playwright is not installed (pip install '.[render]')")
    try:
        return chromium_path(browser)
    except RenderUnavailable as error:
        pytest.skip(str(error))


@dataclass
class RenderedCrawl:
    output: CrawlOutput
    base_url: str
    log: RequestLog

    def item(self, slug: str) -> dict:
        url = f"{self.base_url}/news/2026/11/{slug}"
        return next(item for item in self.output.items() if item["url"] == url)

    def record(self, record_id: str) -> Record:
        return next(r for r in self.output.records() if r.header("WARC-Record-ID") == record_id)


def rendered_crawl_of(directory: Path, *settings: str) -> RenderedCrawl:
    """``archiver crawl --render`` of the script-walled site (with extra ``-s`` settings)."""
    with serve(render_routes()) as site:
        output = crawl(site.base_url + "/", directory, "--render",
                       "-s", f"ARCHIVER_RENDER_SCREENSHOT_HEIGHT={SCREENSHOT_HEIGHT}",
                       *(arg for setting in settings for arg in ("-s", setting)))
    assert output.process.returncode == 0, output.process.stderr[-3000:]
    return RenderedCrawl(output, site.base_url, site.log)


@pytest.fixture(scope="session")
def rendered_crawl(tmp_path_factory: pytest.TempPathFactory) -> RenderedCrawl:
    """With the default browser (Debian's headless shell where installed)."""
    require_rendering()
    return rendered_crawl_of(tmp_path_factory.mktemp("render") / "crawl")
