"""One ``archiver crawl --render`` of the script-walled loopback site, shared by the tests."""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib.util import find_spec

import pytest

from archiver.demo.server import RequestLog, serve
from tests.crawling import CrawlOutput, Record, crawl
from tests.render.site import render_routes

CHROMIUM = "/usr/bin/chromium"
SCREENSHOT_HEIGHT = 1000
"""Taller than the soft wall's page (its text hidden), shorter than the open article's."""


def require_rendering() -> None:
    if find_spec("playwright") is None:
        pytest.skip("Playwright is not installed (pip install '.[render]')")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (Debian: apt-get install chromium)")


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


@pytest.fixture(scope="session")
def rendered_crawl(tmp_path_factory: pytest.TempPathFactory) -> RenderedCrawl:
    require_rendering()
    directory = tmp_path_factory.mktemp("render") / "crawl"
    with serve(render_routes()) as site:
        output = crawl(site.base_url + "/", directory, "--render",
                       "-s", f"ARCHIVER_RENDER_CHROMIUM={CHROMIUM}",
                       "-s", f"ARCHIVER_RENDER_SCREENSHOT_HEIGHT={SCREENSHOT_HEIGHT}")
    assert output.process.returncode == 0, output.process.stderr[-3000:]
    return RenderedCrawl(output, site.base_url, site.log)
