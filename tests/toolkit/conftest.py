"""One crawl of a small loopback news site, shared by the toolkit tests.

The site is the bundled demo site with two changes: its stylesheet paints the
page a colour no default browser style has (so a screenshot shows whether it
was applied in replay), and the home page links the stylesheet from an
``<a href>`` too, so the crawl archives it even where requisites are not fetched.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from archiver.demo.server import Route, serve
from archiver.demo.site import demo_routes
from tests.crawling import CrawlOutput, crawl

CSS_COLOUR = (26, 107, 60)
"""``html``'s background in the test site's stylesheet."""
CSS_RULE = b"\nhtml { background: rgb(26, 107, 60); }\n"
CRAWL_ID = "toolkit-run-1"


def toolkit_routes() -> dict[str, Route]:
    routes = demo_routes()
    css = routes["/static/site.css"]
    css.body += CSS_RULE
    home = routes["/"]
    home.body = home.body.replace(
        b"</body>", b'<p><a href="/static/site.css">Our stylesheet</a></p></body>'
    )
    return routes


@dataclass
class SiteCrawl:
    output: CrawlOutput
    base_url: str

    @property
    def directory(self) -> Path:
        return self.output.directory

    def items_by_path(self) -> dict[str, dict]:
        return {item["url"].removeprefix(self.base_url): item for item in self.output.items()}


@pytest.fixture(scope="session")
def site_crawl(tmp_path_factory: pytest.TempPathFactory) -> SiteCrawl:
    directory = tmp_path_factory.mktemp("toolkit") / "crawl"
    with serve(toolkit_routes()) as site:
        output = crawl(site.base_url + "/", directory, "--crawl-id", CRAWL_ID)
    assert output.process.returncode == 0, output.process.stderr[-3000:]
    result = SiteCrawl(output, site.base_url)
    assert len(result.items_by_path()) == 4, result.items_by_path().keys()
    return result


@pytest.fixture(scope="session")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> SiteCrawl:
    """Two runs into one directory: the second finds every article unchanged and writes
    identical-payload revisits pointing into the first run's WARC (via the catalog)."""
    directory = tmp_path_factory.mktemp("toolkit") / "two-runs"
    with serve(toolkit_routes()) as site:
        for crawl_id in ("run-a", "run-b"):
            output = crawl(site.base_url + "/", directory, "--crawl-id", crawl_id)
            assert output.process.returncode == 0, output.process.stderr[-3000:]
    return SiteCrawl(output, site.base_url)


def tool(name: str) -> str:
    """A console script of the test environment: beside the running interpreter (a venv
    that is not activated), else on ``PATH``."""
    path = shutil.which(name, path=os.pathsep.join([str(Path(sys.executable).parent),
                                                    os.environ.get("PATH", "")]))
    if path is None:
        pytest.skip(f"{name} is not installed (pip install '.[test]' installs it)")
    return path


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
