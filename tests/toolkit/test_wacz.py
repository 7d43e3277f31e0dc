"""``archiver wacz``: a WACZ 1.1.1 package that ``wacz validate`` accepts, with our pages."""

from __future__ import annotations

import hashlib
import json
import struct
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.crawling import run_archiver
from tests.toolkit.conftest import SiteCrawl, tool


@pytest.fixture(scope="module")
def package(site_crawl: SiteCrawl, tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("wacz") / "crawl.wacz"
    process = run_archiver("wacz", str(site_crawl.directory), "-o", str(output),
                           "--title", "Toolkit test")
    assert process.returncode == 0, process.stderr
    assert "4 pages" in process.stdout
    return output


def test_wacz_validate_accepts_the_package(package: Path):
    process = subprocess.run([tool("wacz"), "validate", "-f", str(package)],
                             capture_output=True, text=True, timeout=120)
    assert process.returncode == 0, process.stdout + process.stderr
    assert "Validation succeeded" in process.stdout


def test_package_holds_the_warcs_stored_and_a_sorted_cdxj_index(package: Path,
                                                                site_crawl: SiteCrawl):
    with zipfile.ZipFile(package) as archive:
        for warc in site_crawl.output.warc_files:
            info = archive.getinfo(f"archive/{warc.name}")
            assert info.compress_type == zipfile.ZIP_STORED, "WARCs must be stored for seeking"
            assert archive.read(info) == warc.read_bytes()
        index = archive.read("indexes/index.cdx").decode()
        assert not [n for n in archive.namelist() if n.startswith("indexes/") and
                    n != "indexes/index.cdx"], "ReplayWeb.page would load a second index"
    # The oracle is cdxj-indexer itself, run on the packaged files by their names in archive/.
    warc_dir = site_crawl.output.warc_files[0].parent
    expected = subprocess.run(
        [tool("cdxj-indexer"), "--sort", *(w.name for w in site_crawl.output.warc_files)],
        cwd=warc_dir, capture_output=True, text=True, timeout=120, check=True).stdout
    assert index == expected and index.splitlines() == sorted(index.splitlines())


def test_local_headers_carry_the_extra_fields_of_the_central_directory(package: Path):
    """ReplayWeb.page finds an entry's data from the central directory alone when that
    has no extra field; a ZIP64 field in the local header only shifts every read."""
    with zipfile.ZipFile(package) as archive, open(package, "rb") as raw:
        for info in archive.infolist():
            raw.seek(info.header_offset)
            local = raw.read(30)
            assert local[:4] == b"PK\x03\x04"
            name_length, extra_length = struct.unpack("<HH", local[26:30])
            assert extra_length == len(info.extra), info.filename
            raw.seek(info.header_offset + 30 + name_length)
            assert raw.read(extra_length) == info.extra, info.filename


def test_datapackage_lists_every_file_with_its_digest(package: Path):
    with zipfile.ZipFile(package) as archive:
        raw = archive.read("datapackage.json")
        datapackage = json.loads(raw)
        digest = json.loads(archive.read("datapackage-digest.json"))
        names = set(archive.namelist()) - {"datapackage.json", "datapackage-digest.json"}
        assert {r["path"] for r in datapackage["resources"]} == names
        for resource in datapackage["resources"]:
            data = archive.read(resource["path"])
            assert resource["bytes"] == len(data)
            assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
    assert datapackage["wacz_version"] == "1.1.1"
    assert datapackage["profile"] == "data-package"
    assert datapackage["title"] == "Toolkit test"
    assert digest == {"path": "datapackage.json",
                      "hash": "sha256:" + hashlib.sha256(raw).hexdigest()}


def _pages(package: Path) -> list[dict]:
    with zipfile.ZipFile(package) as archive:
        return [json.loads(line) for line in archive.read("pages/pages.jsonl").splitlines()]


def test_pages_list_the_articles_with_their_verdicts(package: Path, site_crawl: SiteCrawl):
    header, *pages = _pages(package)
    assert header["format"] == "json-pages-1.0" and header["id"]
    items = {item["url"]: item for item in site_crawl.output.items()}
    assert sorted(p["url"] for p in pages) == sorted(items)
    for page in pages:
        item = items[page["url"]]
        assert page["ts"] == item["fetched_at"]
        assert page["title"] == item["title"]
        assert page["paywall"] == item["paywall"]
        assert page["id"] in item["warc_record_id"]
    assert len({p["id"] for p in pages}) == len(pages)


def test_pages_come_from_verdict_records_when_only_warcs_are_given(
    site_crawl: SiteCrawl, tmp_path: Path
):
    output = tmp_path / "warcs-only.wacz"
    warcs = [str(p) for p in site_crawl.output.warc_files]
    process = run_archiver("wacz", *warcs, "-o", str(output))
    assert process.returncode == 0, process.stderr
    _, *pages = _pages(output)
    items = {item["url"]: item for item in site_crawl.output.items()}
    assert sorted(p["url"] for p in pages) == sorted(items)
    for page in pages:
        assert page["paywall"] == items[page["url"]]["paywall"]
        assert page["ts"] == items[page["url"]]["fetched_at"]
        assert page["title"].startswith(items[page["url"]]["title"])


def test_wacz_refuses_two_warcs_with_one_name(site_crawl: SiteCrawl, tmp_path: Path):
    warc = site_crawl.output.warc_files[0]
    copy = tmp_path / "elsewhere" / warc.name
    copy.parent.mkdir()
    copy.write_bytes(warc.read_bytes())
    process = run_archiver("wacz", str(warc), str(copy), "-o", str(tmp_path / "x.wacz"))
    assert process.returncode == 2
    assert f"two WARCs named {warc.name}" in process.stderr
    assert not (tmp_path / "x.wacz").exists()


def test_a_crawl_directory_packages_only_its_warc_folder(site_crawl: SiteCrawl, tmp_path: Path):
    """``archiver replay`` keeps a pywb collection (copies of the WARCs) in ``DIR/replay/``."""
    directory = tmp_path / "crawl"
    (directory / "warc").mkdir(parents=True)
    copies = directory / "replay" / "collections" / "crawl" / "archive"
    copies.mkdir(parents=True)
    for warc in site_crawl.output.warc_files:
        (directory / "warc" / warc.name).write_bytes(warc.read_bytes())
        (copies / warc.name).write_bytes(warc.read_bytes())
    process = run_archiver("wacz", str(directory), "-o", str(tmp_path / "c.wacz"))
    assert process.returncode == 0, process.stderr
    with zipfile.ZipFile(tmp_path / "c.wacz") as archive:
        assert sorted(n for n in archive.namelist() if n.startswith("archive/")) == [
            f"archive/{w.name}" for w in site_crawl.output.warc_files]
