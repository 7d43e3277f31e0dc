"""``archiver reextract``: the live crawl's items again, from the archive alone."""

from __future__ import annotations

import gzip
import subprocess
from importlib.resources import files
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archiver.demo.server import serve
from archiver.demo.site import demo_routes
from tests.crawling import Record, run_archiver
from tests.toolkit.conftest import SiteCrawl, read_jsonl, tool

ARTICLE = files("archiver.demo").joinpath("site", "harbour-reopens.html").read_bytes()
WALLED = files("archiver.demo").joinpath("site", "gulf-talks.html").read_bytes()


def as_crawled(item: dict, base_url: str) -> dict:
    """A reextracted item as the crawl emitted it: its verdict without the record of the
    linked stylesheets it read (every demo article links the archived ``site.css``)."""
    verdict = dict(item["paywall"])
    assert verdict.pop("stylesheets") == {"read": [base_url + "/static/site.css"],
                                          "missing": [], "skipped": []}, item["url"]
    return {**item, "paywall": verdict}


def reextract(tmp_path: Path, *inputs: Path | str, jobs: str | None = None) -> (
    tuple[subprocess.CompletedProcess[str], list[dict]]
):
    output = tmp_path / f"items-{jobs or 'all'}.jsonl"
    args = ["reextract", *map(str, inputs), "-o", str(output)]
    process = run_archiver(*args, *(["--jobs", jobs] if jobs else []))
    return process, read_jsonl(output) if output.exists() else []


def test_reextract_reproduces_the_live_crawl_items(site_crawl: SiteCrawl, tmp_path: Path):
    process, items = reextract(tmp_path, site_crawl.directory)
    assert process.returncode == 0, process.stderr
    assert "4 articles" in process.stdout
    assert "\x1b[" not in process.stderr, "no progress bar when stderr is not a terminal"
    live = {item["url"]: item for item in site_crawl.output.items()}
    again = {item["url"]: as_crawled(item, site_crawl.base_url) for item in items}
    assert again.keys() == live.keys()
    for url, item in live.items():
        differing = {k: (v, again[url].get(k)) for k, v in item.items() if again[url].get(k) != v}
        assert not differing, (url, differing)
    walled = again[site_crawl.base_url + "/news/2026/11/gulf-talks"]["paywall"]
    assert walled["detected"] and walled["kind"] == "hard"


def test_reextract_resolves_the_crawls_own_revisits_across_runs(two_runs: SiteCrawl,
                                                                tmp_path: Path):
    live = {item["warc_record_id"]: item for item in two_runs.output.items()}
    revisits = [r for r in two_runs.output.records() if r.rec_type == "revisit"]
    assert {r.header("WARC-Record-ID") for r in revisits} & live.keys(), (
        "the second run must link some articles to revisit records"
    )
    process, items = reextract(tmp_path, two_runs.directory)
    assert process.returncode == 0, process.stderr
    again = {item["warc_record_id"]: as_crawled(item, two_runs.base_url) for item in items}
    assert again.keys() == live.keys()
    for record_id, item in live.items():
        differing = {k: (v, again[record_id].get(k)) for k, v in item.items()
                     if again[record_id].get(k) != v}
        assert not differing, (item["url"], differing)


def test_one_process_and_many_give_the_same_items(site_crawl: SiteCrawl, tmp_path: Path):
    warcs = site_crawl.output.warc_files
    single = reextract(tmp_path, *warcs, jobs="1")
    several = reextract(tmp_path, *warcs, jobs="3")
    assert single[0].returncode == several[0].returncode == 0
    assert single[1] == several[1] and len(single[1]) == 4


def test_reextract_reads_a_wget_warc(site_crawl: SiteCrawl, tmp_path: Path):
    wget = tool("wget")
    with serve(demo_routes()) as site:
        process = subprocess.run(
            [wget, f"--warc-file={tmp_path / 'wget'}", "--compression=auto", "-r", "-l", "3",
             "-p", "--no-verbose", "--tries=1", "--timeout=10", "--delete-after",
             "-P", str(tmp_path / "files"), site.base_url + "/"],
            capture_output=True, text=True, timeout=120,
        )
    warc = tmp_path / "wget.warc.gz"
    # wget exits 8 for the demo site's deliberate 404s; the WARC is what matters.
    assert warc.is_file(), process.stderr
    assert b"Transfer-Encoding: chunked" in gzip.decompress(warc.read_bytes()), (
        "wget keeps chunked bodies as sent: the fixture must exercise de-chunking"
    )
    done, items = reextract(tmp_path, warc)
    assert done.returncode == 0, done.stderr
    by_path = {item["url"].removeprefix(site.base_url): item for item in items}
    ours = site_crawl.items_by_path()
    assert by_path.keys() == ours.keys()
    for path, item in by_path.items():
        assert item["paywall"]["detected"] == ours[path]["paywall"]["detected"], path
        assert item["paywall"]["kind"] == ours[path]["paywall"]["kind"], path
        assert item["text"] == ours[path]["text"], path
        assert item["crawl_id"] is None, "wget writes no isPartOf"
    for item in items:
        record = Record.at(warc, item["warc_offset"])
        assert record.rec_type == "response"
        assert record.header("WARC-Record-ID") == item["warc_record_id"]
        assert record.header("WARC-Payload-Digest") == item["payload_digest"]
        assert record.header("WARC-Date") == item["fetched_at"]


def _chunked(body: bytes) -> bytes:
    return b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)


def _http(status: str, headers: list[tuple[str, str]]) -> StatusAndHeaders:
    return StatusAndHeaders(status, headers, protocol="HTTP/1.1")


def write_handmade_warc(path: Path, with_original: bool = True) -> dict[str, str]:
    """A third-party style WARC: a gzip+chunked response, revisits of its payload (one
    URL-agnostic, one server-not-modified) and a paywalled page; record ids by role."""
    ids = {}
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=True, warc_version="WARC/1.1")
        info = writer.create_warcinfo_record(path.name, {"isPartOf": "handmade-1"})
        writer.write_record(info)
        wire = _chunked(gzip.compress(ARTICLE, mtime=0))
        original = writer.create_warc_record(
            "http://news.example/a", "response", payload=BytesIO(wire),
            http_headers=_http("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                          ("Content-Encoding", "gzip"),
                                          ("Transfer-Encoding", "chunked")]),
            warc_headers_dict={"WARC-Date": "2026-11-20T08:00:00Z"},
        )
        if with_original:
            writer.write_record(original)
        ids["original"] = original.rec_headers.get_header("WARC-Record-ID")
        digest = original.rec_headers.get_header("WARC-Payload-Digest")
        same = writer.create_revisit_record(
            "http://news.example/b", digest, "http://news.example/a", "2026-11-20T08:00:00Z",
            http_headers=_http("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                          ("Content-Encoding", "gzip")]),
        )
        writer.write_record(same)
        ids["identical"] = same.rec_headers.get_header("WARC-Record-ID")
        unchanged = writer.create_revisit_record(
            "http://news.example/a", digest, "http://news.example/a", "2026-11-20T08:00:00Z",
            http_headers=_http("304 Not Modified", [("ETag", '"v1"')]),
        )
        unchanged.rec_headers.replace_header(
            "WARC-Profile", "http://netpreserve.org/warc/1.1/revisit/server-not-modified")
        unchanged.rec_headers.add_header("WARC-Refers-To", ids["original"])
        writer.write_record(unchanged)
        ids["not-modified"] = unchanged.rec_headers.get_header("WARC-Record-ID")
        plain = writer.create_warc_record(
            "http://news.example/walled", "response", payload=BytesIO(WALLED),
            http_headers=_http("200 OK", [("Content-Type", "text/html; charset=utf-8")]),
        )
        writer.write_record(plain)
        ids["walled"] = plain.rec_headers.get_header("WARC-Record-ID")
    return ids


def test_revisits_are_resolved_and_bodies_decoded(tmp_path: Path):
    warc = tmp_path / "handmade.warc.gz"
    ids = write_handmade_warc(warc)
    process, items = reextract(tmp_path, warc)
    assert process.returncode == 0, process.stderr
    by_id = {item["warc_record_id"]: item for item in items}
    assert set(by_id) == {ids["original"], ids["identical"], ids["not-modified"], ids["walled"]}
    original = by_id[ids["original"]]
    assert "The old harbour reopened to fishing boats" in original["text"]
    assert original["crawl_id"] == "handmade-1"
    for key in ("identical", "not-modified"):
        revisit = by_id[ids[key]]
        assert revisit["text"] == original["text"], key
        assert revisit["status"] == 200, key
        record = Record.at(warc, revisit["warc_offset"])
        assert record.rec_type == "revisit" and record.target == revisit["url"], key
    assert by_id[ids["identical"]]["url"] == "http://news.example/b"
    assert by_id[ids["walled"]]["paywall"]["detected"]
    assert not original["paywall"]["detected"]


def test_a_revisit_without_its_original_is_named(tmp_path: Path):
    warc = tmp_path / "orphaned.warc.gz"
    ids = write_handmade_warc(warc, with_original=False)
    process, items = reextract(tmp_path, warc)
    assert process.returncode == 1
    assert "refers to a record that is not in the given WARCs" in process.stderr
    assert "pass the WARC holding the original capture too" in process.stderr
    assert [item["warc_record_id"] for item in items] == [ids["walled"]]


def test_reextract_names_a_missing_input(tmp_path: Path):
    process, _ = reextract(tmp_path, tmp_path / "absent")
    assert process.returncode == 2
    assert "absent: no such file or directory" in process.stderr
