"""Content codings: we ask only for what every WARC reader decodes, and read all of them.

By default the crawler sends ``Accept-Encoding: gzip, deflate`` (warcio 1.8.1
cannot decode ``br`` with brotli 1.2, nor ``zstd`` at all); a setting allows
more. Third parties' WARCs carry ``br`` and ``zstd`` anyway (browser-based
crawlers get what the browser asked for), so the toolkit decodes them itself.
"""

from __future__ import annotations

import gzip
import subprocess
import zlib
from io import BytesIO
from pathlib import Path

import brotli
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archiver.demo.server import serve
from archiver.demo.site import demo_routes
from archiver.toolkit.captures import read_capture, scan_warc
from tests.crawling import CrawlOutput, crawl, run_archiver
from tests.toolkit.conftest import read_jsonl, tool

try:
    from compression import zstd  # type: ignore[import-not-found]
except ImportError:
    from backports import zstd

ARTICLE = demo_routes()["/news/2026/11/harbour-reopens"].body


def _accept_encodings(output: CrawlOutput) -> set[str]:
    values = set()
    for head in (r.http_head for r in output.records() if r.rec_type == "request"):
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"accept-encoding":
                values.add(value.strip().decode())
    return values


def test_requests_ask_for_gzip_and_deflate_unless_told_otherwise(tmp_path: Path):
    with serve(demo_routes()) as site:
        default = crawl(site.base_url + "/", tmp_path / "default", "--max-pages", "3")
        more = crawl(site.base_url + "/", tmp_path / "more", "--max-pages", "3",
                     "-s", "ARCHIVER_ACCEPT_ENCODING=gzip, deflate, br")
    assert default.process.returncode == 0, default.process.stderr[-2000:]
    assert more.process.returncode == 0, more.process.stderr[-2000:]
    assert _accept_encodings(default) == {"gzip, deflate"}
    assert _accept_encodings(more) == {"gzip, deflate, br"}


CODINGS = {
    "br": brotli.compress,
    "zstd": zstd.compress,
    "gzip": lambda body: gzip.compress(body, mtime=0),
    "deflate": zlib.compress,
    "deflate, br": lambda body: brotli.compress(zlib.compress(body)),
}


def write_encoded_warc(path: Path) -> None:
    """One response per coding, the article's path made unique by the coding's name;
    the ``br`` one also chunked, stored with its Transfer-Encoding as WARC allows."""
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=True, warc_version="WARC/1.1")
        writer.write_record(writer.create_warcinfo_record(path.name, {"isPartOf": "enc"}))
        for name, encode in CODINGS.items():
            body = encode(ARTICLE)
            headers = [("Content-Type", "text/html; charset=utf-8"),
                       ("Content-Encoding", name)]
            if name == "br":
                body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
                headers.append(("Transfer-Encoding", "chunked"))
            slug = name.replace(", ", "-")
            writer.write_record(writer.create_warc_record(
                f"http://news.example/news/2026/11/harbour-{slug}", "response",
                payload=BytesIO(body),
                http_headers=StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")))


@pytest.fixture(scope="module")
def encoded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("encodings") / "encoded.warc.gz"
    write_encoded_warc(path)
    return path


def test_every_coding_decodes_to_the_article(encoded: Path):
    entries, damage = scan_warc(encoded)
    assert not damage
    assert len(entries) == len(CODINGS)
    for entry in entries:
        assert read_capture(entry).body == ARTICLE, entry.url


def test_warcio_cannot_read_br_back(encoded: Path):
    """Why the crawler does not ask for br: warcio's own check fails on it."""
    process = subprocess.run([tool("warcio"), "check", str(encoded)], capture_output=True,
                             text=True, timeout=120)
    assert process.returncode != 0


def test_reextract_and_wacz_read_br_and_zstd_articles(encoded: Path, tmp_path: Path):
    items_path = tmp_path / "items.jsonl"
    process = run_archiver("reextract", str(encoded), "-o", str(items_path))
    assert process.returncode == 0, process.stderr
    items = {item["url"].rsplit("/harbour-", 1)[-1]: item for item in read_jsonl(items_path)}
    assert set(items) == {name.replace(", ", "-") for name in CODINGS}
    texts = {item["text"] for item in items.values()}
    assert len(texts) == 1
    assert "The old harbour reopened to fishing boats" in texts.pop()
    process = run_archiver("wacz", str(encoded), "-o", str(tmp_path / "enc.wacz"))
    assert process.returncode == 0, process.stderr
