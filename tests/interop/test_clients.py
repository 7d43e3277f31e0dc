"""One crawl's output through the clients researchers use, none of them written here.

warcio's and FastWARC's checks, cdxj-indexer (the same index as ours, line for
line), ``wacz validate``, pywb importing the WACZ (``wb-manager add
--unpack-wacz``) and replaying an article from it, and ReplayWeb.page 2.5.3 (the
npm package's prebuilt ``ui.js``/``sw.js``, in Debian's Chromium driven by
playwright-core) showing the article's text from the WACZ. ``.ci/run`` installs
the npm packages into ``~/.cache/news-archiver/``; the tests skip, saying so,
where a client is missing.
"""

from __future__ import annotations

import functools
import http.server
import io
import os
import re
import shutil
import subprocess
import threading
import urllib.request
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

import pytest

from archiver.toolkit.replay import Pywb
from tests.crawling import run_archiver
from tests.pywb import pywb_or_skip, running_wayback
from tests.toolkit.conftest import SiteCrawl, tool

ARTICLE_PATH = "/news/2026/11/harbour-reopens"
ARTICLE = files("archiver.demo").joinpath("site", "harbour-reopens.html").read_bytes()
ARTICLE_TEXT = "The old harbour reopened to fishing boats"
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "news-archiver"
REPLAYWEBPAGE = CACHE / "replaywebpage" / "package"
PLAYWRIGHT_CORE = CACHE / "playwright" / "node_modules" / "playwright-core"
RENDER_SCRIPT = Path(__file__).with_name("rwp_render.cjs")
RENDER_TIMEOUT = 120


@pytest.fixture(scope="module")
def package(site_crawl: SiteCrawl, tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("clients") / "crawl.wacz"
    process = run_archiver("wacz", str(site_crawl.directory), "-o", str(output))
    assert process.returncode == 0, process.stderr
    return output


def test_warcio_and_fastwarc_verify_every_record(site_crawl: SiteCrawl, tmp_path: Path):
    for warc in site_crawl.output.warc_files:
        warcio = subprocess.run([tool("warcio"), "check", "-v", str(warc)],
                                capture_output=True, text=True, timeout=120)
        assert warcio.returncode == 0, warcio.stdout + warcio.stderr
        assert "digest pass" in warcio.stdout
        report = tmp_path / "fastwarc.txt"
        fastwarc = subprocess.run([tool("fastwarc"), "check", "--verify-payloads", "--quiet",
                                   "-o", str(report), str(warc)],
                                  capture_output=True, text=True, timeout=120)
        assert fastwarc.returncode == 0, fastwarc.stdout + fastwarc.stderr
        verdicts = report.read_text().splitlines()
        assert verdicts and all(": OK, PAYLOAD_" in v and "FAIL" not in v for v in verdicts)


def test_cdxj_indexer_writes_our_index(site_crawl: SiteCrawl):
    ours = run_archiver("index", str(site_crawl.directory))
    assert ours.returncode == 0, ours.stderr
    theirs = subprocess.run([tool("cdxj-indexer"), "--sort",
                             *map(str, site_crawl.output.warc_files)],
                            capture_output=True, text=True, timeout=120)
    assert theirs.returncode == 0, theirs.stderr
    assert ours.stdout == theirs.stdout and ours.stdout.count("\n") > 10


def test_wacz_validate_accepts_the_package(package: Path):
    process = subprocess.run([tool("wacz"), "validate", "-f", str(package)],
                             capture_output=True, text=True, timeout=120)
    assert process.returncode == 0 and "Validation succeeded" in process.stdout, (
        process.stdout + process.stderr)


@pytest.fixture(scope="module")
def pywb() -> Pywb:
    return pywb_or_skip()



def test_pywb_imports_the_wacz_and_replays_the_article(package: Path, pywb: Pywb,
                                                        site_crawl: SiteCrawl, tmp_path: Path):
    for args in (["init", "news"], ["add", "--unpack-wacz", "news", str(package)]):
        process = subprocess.run([str(pywb.wb_manager), *args], cwd=tmp_path,
                                 capture_output=True, text=True, timeout=300)
        assert process.returncode == 0, process.stderr
        assert "does not contain any indices" not in process.stderr
    index = tmp_path / "collections" / "news" / "indexes" / "index.cdxj"
    assert ARTICLE_PATH in index.read_text()
    with running_wayback(pywb, tmp_path, "news") as port:
        url = f"http://127.0.0.1:{port}/news/2026id_/{site_crawl.base_url}{ARTICLE_PATH}"
        with urllib.request.urlopen(url, timeout=60) as response:
            assert response.read() == ARTICLE


class RangeHandler(http.server.SimpleHTTPRequestHandler):
    """``http.server`` plus single byte ranges (RFC 9110, 14): ReplayWeb.page reads a WACZ
    in place, by ranges, and the standard library's handler ignores ``Range``."""

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test reports what the browser saw."""

    def end_headers(self) -> None:
        self.send_header("Accept-Ranges", "bytes")
        super().end_headers()

    def send_head(self):  # type: ignore[override]
        wanted = re.fullmatch(r"bytes=(\d*)-(\d*)", self.headers.get("Range", ""))
        path = self.translate_path(self.path)
        if wanted is None or not os.path.isfile(path):
            return super().send_head()
        size = os.path.getsize(path)
        first, last = wanted.groups()
        if first:
            start, end = int(first), min(int(last) if last else size - 1, size - 1)
        else:
            start, end = max(size - int(last or 0), 0), size - 1
        if start > end:
            self.send_error(416)
            return None
        with open(path, "rb") as source:
            source.seek(start)
            data = source.read(end - start + 1)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        return io.BytesIO(data)


@pytest.fixture
def served(tmp_path: Path, package: Path) -> Iterator[str]:
    """ReplayWeb.page's embed page, its ``ui.js`` and ``sw.js``, and the package, on
    127.0.0.1; yields the root URL. The server stops with the test."""
    for name in ("ui.js", "sw.js", "index.html"):
        if not (REPLAYWEBPAGE / name).is_file():
            pytest.skip(f"{REPLAYWEBPAGE / name} is missing (.ci/run runs "
                        "`npm pack replaywebpage@2.5.3` into that folder)")
    root = tmp_path / "site"
    (root / "replay").mkdir(parents=True)
    shutil.copy(REPLAYWEBPAGE / "ui.js", root / "ui.js")
    shutil.copy(REPLAYWEBPAGE / "sw.js", root / "replay" / "sw.js")
    # The replay frame's own page, until the service worker serves it.
    (root / "replay" / "index.html").write_text(
        (REPLAYWEBPAGE / "index.html").read_text().replace("./ui.js", "/ui.js"))
    shutil.copy(package, root / "crawl.wacz")
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(RangeHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_replaywebpage_renders_the_article_from_the_wacz(served: str, site_crawl: SiteCrawl,
                                                        tmp_path: Path):
    node, chromium = shutil.which("node"), shutil.which("chromium")
    if node is None or chromium is None:
        pytest.skip("node and Debian's chromium are needed (apt-get install nodejs chromium)")
    if not PLAYWRIGHT_CORE.is_dir():
        pytest.skip(f"{PLAYWRIGHT_CORE} is missing (.ci/run installs playwright-core there)")
    page = tmp_path / "site" / "index.html"
    page.write_text(
        '<!doctype html><html><head><meta charset="utf-8"><script src="/ui.js"></script>'
        f'</head><body><replay-web-page source="/crawl.wacz" replayBase="/replay/" '
        f'url="{site_crawl.base_url}{ARTICLE_PATH}" embed="replayonly" '
        'style="display:block;height:600px"></replay-web-page></body></html>')
    process = subprocess.run(
        [node, str(RENDER_SCRIPT), f"{served}/index.html", ARTICLE_TEXT, str(RENDER_TIMEOUT)],
        capture_output=True, text=True, timeout=RENDER_TIMEOUT + 60,
        env={**os.environ, "PLAYWRIGHT_CORE": str(PLAYWRIGHT_CORE), "CHROMIUM": chromium})
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    assert process.stdout.strip().endswith("rendered")
