"""Replay in pywb (``wb-manager init/add`` + ``wayback`` on 127.0.0.1) and in a browser."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import pytest

from archiver.toolkit.replay import (
    Pywb,
    build_collection,
)
from tests.crawling import run_archiver
from tests.ports import candidate_port
from tests.pywb import pywb_or_skip, running_wayback
from tests.toolkit.conftest import CSS_COLOUR, SiteCrawl, toolkit_routes

COLLECTION = "news"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-quic",
]


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


@pytest.fixture(scope="module")
def pywb() -> Pywb:
    return pywb_or_skip()


@dataclass
class Replay:
    port: int
    root: Path
    added: list[Path]

    def url(self, original: str, timestamp: str = "") -> str:
        return f"http://127.0.0.1:{self.port}/{COLLECTION}/{timestamp}{original}"


@pytest.fixture(scope="module")
def replay(site_crawl: SiteCrawl, pywb: Pywb, tmp_path_factory) -> Iterator[Replay]:
    root = tmp_path_factory.mktemp("pywb")
    _, added = build_collection(pywb, root, COLLECTION, site_crawl.output.warc_files)

    with running_wayback(pywb, root, COLLECTION) as port:
        yield Replay(port, root, added)


def test_collection_holds_the_crawls_warcs(replay: Replay, site_crawl: SiteCrawl, pywb: Pywb):
    archive = replay.root / "collections" / COLLECTION / "archive"
    assert sorted(p.name for p in archive.iterdir()) == [
        p.name for p in site_crawl.output.warc_files]
    assert replay.added == site_crawl.output.warc_files
    again = build_collection(pywb, replay.root, COLLECTION, site_crawl.output.warc_files)
    assert again[1] == [], "a second run adds nothing already in the collection"


@pytest.mark.parametrize("path", ["/", "/world/", "/local/", "/static/site.css"])
def test_pywb_serves_archived_pages_back_unchanged(replay: Replay, site_crawl: SiteCrawl,
                                                   path: str):
    """gzip, chunked and gzip+chunked responses all come back as the site's own bytes."""
    body = fetch(replay.url(site_crawl.base_url + path, "2026id_/"))
    assert body == toolkit_routes()[path].body


def test_pywb_serves_an_archived_article_back_with_its_text(replay: Replay,
                                                            site_crawl: SiteCrawl):
    body = fetch(replay.url(site_crawl.base_url + "/news/2026/11/harbour-reopens", "2026id_/"))
    assert body == files("archiver.demo").joinpath("site", "harbour-reopens.html").read_bytes()


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")


def test_chromium_shows_the_replayed_page_with_its_stylesheet(replay: Replay,
                                                              site_crawl: SiteCrawl,
                                                              tmp_path: Path):
    image_module = pytest.importorskip("PIL.Image", reason="Pillow reads the screenshot")
    browser = chromium()
    shot = tmp_path / "replay.png"
    with tempfile.TemporaryDirectory() as profile:
        process = subprocess.run(
            [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=800,600",
             "--virtual-time-budget=10000", f"--screenshot={shot}",
             replay.url(site_crawl.base_url + "/world/")],
            capture_output=True, text=True, timeout=120,
        )
    assert shot.is_file(), process.stderr[-2000:]
    with image_module.open(shot) as image:
        rgb = image.convert("RGB")
        colours = {colour: count for count, colour in rgb.getcolors(rgb.width * rgb.height)}
        total = rgb.width * rgb.height
    painted = colours.get(CSS_COLOUR, 0)
    assert painted > total // 3, (
        f"only {painted} of {total} pixels have the stylesheet's background "
        f"{CSS_COLOUR}: the replayed page was drawn without its stylesheet"
    )


def test_replay_verb_builds_the_collection_and_serves_it(site_crawl: SiteCrawl, pywb: Pywb,
                                                         tmp_path: Path):
    port = candidate_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "archiver", "replay", str(site_crawl.directory), "--port",
         str(port), "--root", str(tmp_path / "root"), "--collection", "mine"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        for line in process.stdout:
            lines.append(line)
            if line.startswith("press Ctrl-C"):
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        assert ready.wait(90), "".join(lines)
        assert f"replaying at http://127.0.0.1:{port}/mine/\n" in lines
        first = next(line for line in lines if line.startswith("first article: "))
        article = first.removeprefix("first article: ").strip()
        assert article.startswith(f"http://127.0.0.1:{port}/mine/{site_crawl.base_url}/news/")
        home = fetch(f"http://127.0.0.1:{port}/mine/2026id_/{site_crawl.base_url}/")
        assert home == toolkit_routes()["/"].body
    finally:
        process.terminate()
        process.wait(timeout=30)
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0, "wayback must stop with the verb"


def test_replay_without_pywb_says_how_to_install_it(site_crawl: SiteCrawl, tmp_path: Path):
    process = subprocess.run(
        [sys.executable, "-m", "archiver", "replay", str(site_crawl.directory)],
        capture_output=True, text=True, timeout=60,
        env={"PATH": "/nonexistent", "HOME": str(tmp_path), "ARCHIVER_PYWB_VENV": ""},
    )
    assert process.returncode == 2
    assert "archiver replay --install-pywb" in process.stderr
    assert run_archiver("replay").returncode == 2
