"""The ``archiver`` verbs as an operator runs them: demo, crawl, check and their errors."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from archiver.demo.server import Route, serve
from archiver.run.collector import CRAWL_THRESHOLDS
from tests.crawling import Record, crawl, read_records, run_archiver
from tests.test_capture import article


def test_demo_crawls_bundled_site_and_checks_the_archive(tmp_path: Path):
    process = run_archiver("demo", "--output", str(tmp_path))
    assert process.returncode == 0, process.stdout + process.stderr[-3000:]
    assert re.search(r"WARC check: +ok \(1 file\(s\)\)", process.stdout), process.stdout
    items = [json.loads(line) for path in tmp_path.glob("*.jsonl")
             for line in path.read_text().splitlines()]
    titles = {item["title"] for item in items}
    assert "Gulf states open talks on a shared water grid" in titles
    assert "Market hall to close for repairs" not in titles, "404 pages are not articles"
    for item in items:
        record = Record.at(tmp_path / "warc" / item["warc_filename"], item["warc_offset"])
        assert record.target == item["url"]


def test_check_rejects_a_corrupted_file_and_a_missing_one(tmp_path: Path):
    with serve({"/": Route(body=article("Check story"))}) as site:
        result = crawl(site.base_url + "/", tmp_path / "out")
    assert result.process.returncode == 0, result.process.stderr[-2000:]
    good = result.warc_files[0]
    ok = run_archiver("check", str(good))
    assert ok.returncode == 0 and ok.stdout.strip().endswith(": ok")

    records = read_records(good)
    index = next(i for i, r in enumerate(records) if b"Check story" in r.block)
    response = records[index]
    data = good.read_bytes()
    end = records[index + 1].offset
    member = gzip.decompress(data[response.offset:end]).replace(b"Check story", b"Check stony")
    tampered = tmp_path / "tampered.warc.gz"
    tampered.write_bytes(data[: response.offset] + gzip.compress(member) + data[end:])
    bad = run_archiver("check", str(tampered))
    assert bad.returncode == 1
    assert "digest" in bad.stdout.lower() and response.header("WARC-Record-ID") in bad.stdout

    missing = run_archiver("check", str(tmp_path / "nope.warc.gz"))
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_check_flags_a_file_left_open(tmp_path: Path):
    with serve({"/": Route(body=article("Open story"))}) as site:
        result = crawl(site.base_url + "/", tmp_path / "out")
    left_open = tmp_path / (result.warc_files[0].name + ".open")
    shutil.copy(result.warc_files[0], left_open)
    process = run_archiver("check", str(left_open))
    assert process.returncode == 1 and "still .open" in process.stdout


def test_bad_arguments_get_clear_errors(tmp_path: Path):
    bad_url = run_archiver("crawl", "--url", "ftp://x/", "--output", str(tmp_path))
    assert bad_url.returncode == 2 and "not an http(s) URL" in bad_url.stderr
    bad_setting = run_archiver("crawl", "--url", "http://127.0.0.1:9/", "--output",
                               str(tmp_path), "-s", "NOEQUALS")
    assert bad_setting.returncode == 2 and "expected NAME=VALUE" in bad_setting.stderr


def test_cached_responses_are_not_archived_again(tmp_path: Path):
    cache = ["-s", "HTTPCACHE_ENABLED=True", "-s", f"HTTPCACHE_DIR={tmp_path / 'cache'}"]
    with serve({"/": Route(body=article("Cached story"))}) as site:
        first = crawl(site.base_url + "/", tmp_path / "one", *cache)
        second = crawl(site.base_url + "/", tmp_path / "two", *cache)
    assert first.process.returncode == 0 and second.process.returncode == 0
    assert [r.rec_type for r in first.records()].count("response") == 2  # robots + page
    assert [r.rec_type for r in second.records()].count("response") == 0
    assert second.items() == [], "an item must not point at a capture from another crawl"


def test_credentials_are_archived_only_when_the_operator_opts_in(tmp_path: Path):
    routes = {
        "/": Route(body=b'<a href="/next">next</a>', headers=[(b"Set-Cookie", b"s=secret")]),
        "/next": Route(body=article("Subscriber story")),
    }
    auth = ["-s", 'DEFAULT_REQUEST_HEADERS={"Authorization": "Bearer token123"}']
    with serve(routes) as site:
        hidden = crawl(site.base_url + "/", tmp_path / "hidden", *auth)
        kept = crawl(site.base_url + "/", tmp_path / "kept", *auth,
                     "-s", "ARCHIVER_WARC_KEEP_CREDENTIALS=True")
    hidden_bytes = b"".join(r.block for r in hidden.records() if r.rec_type == "request")
    kept_bytes = b"".join(r.block for r in kept.records() if r.rec_type == "request")
    assert b"token123" not in hidden_bytes and b"s=secret" not in hidden_bytes
    assert b"Authorization: Bearer token123" in kept_bytes
    assert b"Cookie: s=secret" in kept_bytes


def test_max_pages_and_crawl_id(tmp_path: Path):
    links = "".join(f'<a href="/a{n}">{n}</a>' for n in range(80))
    routes = {"/": Route(body=links.encode())}
    routes |= {f"/a{n}": Route(body=article(f"Story {n}")) for n in range(80)}
    with serve(routes) as site:
        result = crawl(site.base_url + "/", tmp_path, "--max-pages", "5", "--crawl-id", "nightly")
    assert result.process.returncode == 0, result.process.stderr[-2000:]
    assert (tmp_path / "nightly.jsonl").exists()
    assert all(path.name.startswith("nightly-") for path in result.warc_files)
    assert len([r for r in result.records() if r.rec_type == "response"]) < 40, "stopped early"
    assert {item["crawl_id"] for item in result.items()} == {"nightly"}


def test_the_process_exits_with_the_verbs_code_and_its_heap_frozen():
    """``archiver`` / ``python -m archiver`` run the verb at the crawl's collector
    thresholds and freeze what is alive before the interpreter's exit (its collections
    walked the whole heap again), and still exit with the verb's code and run the exit
    handlers."""
    script = ("import atexit, gc\nfrom archiver import cli\n"
              "atexit.register(lambda: print(gc.get_freeze_count()))\n"
              "cli.main = lambda: print(*gc.get_threshold()) or 3\ncli.run()")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 3, done.stderr
    thresholds, frozen = done.stdout.splitlines()
    assert tuple(map(int, thresholds.split())) == CRAWL_THRESHOLDS
    assert int(frozen) > 10_000
