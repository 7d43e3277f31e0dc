"""A full disk (a small tmpfs as the WARC directory) stops the crawl cleanly; the next run
recovers the open file and completes the archive."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from archiver.demo.server import Route, serve
from tests.catalog.site import article_page, catalog_rows, listing, warcio_check
from tests.crawling import crawl

ARTICLES = [f"/news/full{n}" for n in range(1, 31)]


def mount(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["mount", *args], capture_output=True, text=True)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 400 kB file system: room for about a dozen of these pages' records."""
    directory = tmp_path / "out" / "warc"
    directory.mkdir(parents=True)
    mounted = mount("-t", "tmpfs", "-o", "size=400k", "tmpfs", str(directory))
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        yield directory
    finally:
        subprocess.run(["umount", "-l", str(directory)], check=False)


def test_a_full_disk_stops_the_crawl_and_the_next_run_recovers(small_disk: Path):
    output = small_disk.parent
    routes = {"/": Route(body=listing("Home", ARTICLES))}
    routes.update({path: Route(body=article_page(f"Full disk story {n}", 300 + n))
                   for n, path in enumerate(ARTICLES, 1)})
    with serve(routes) as site:
        # Files roll over at 150 kB, records are about 24 kB: two closed files take 150-200
        # kB of the 400, so the disk fills inside the third, after some whole records. At
        # 100 kB four files could fill it exactly (each just over 100 kB, 25 pages of 4 kB),
        # leaving the fifth .open file empty, with nothing to mend: it depended on the order
        # the records came in.
        full = crawl(site.base_url + "/", output, "--crawl-id", "full",
                     "-s", "ARCHIVER_WARC_MAX_SIZE=150000")
        assert full.process.returncode == 1, full.process.stderr[-3000:]
        assert "No space left on device" in full.process.stderr
        assert "the crawl stops. Free some space and run again" in full.process.stderr
        assert "crawl full: failed (disk_full)" in full.process.stdout
        closed = sorted(small_disk.glob("*.warc.gz"))
        assert closed and len(list(small_disk.glob("*.open"))) == 1
        checked = warcio_check([str(path) for path in closed])
        assert checked.returncode == 0, checked.stdout + checked.stderr
        first_items = full.items()
        assert len(first_items) < len(ARTICLES)
        for item in first_items:
            assert item["warc_filename"] in {path.name for path in closed} | {
                path.name.removesuffix(".open") for path in small_disk.glob("*.open")}

        assert mount("-o", "remount,size=20m", str(small_disk)).returncode == 0
        again = crawl(site.base_url + "/", output, "--crawl-id", "again")
    assert again.process.returncode == 0, again.process.stderr[-3000:]
    assert not list(small_disk.glob("*.open"))
    files = sorted(small_disk.glob("*.warc.gz"))
    checked = warcio_check([str(path) for path in files])
    assert checked.returncode == 0, checked.stdout + checked.stderr
    stats = json.loads(catalog_rows(output, "SELECT stats FROM crawls WHERE id = 'again'")[0][0])
    assert stats["archiver/recovery/files_mended"] == 1
    urls = {item["url"] for item in again.items()}
    assert urls >= {site.base_url + path for path in ARTICLES}, "every article an item"
