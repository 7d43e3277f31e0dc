"""Run safety with real processes: a run killed by SIGKILL mid-crawl and its
recovery, an overlapping run refused by the lock, and SIGINT pause/resume.

A slow loopback route holds the crawl at a known point: the test acts while
that request is in flight, so "mid-crawl" is deterministic.
"""

from __future__ import annotations

import gzip
import json
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from archiver.demo.server import Route, serve
from archiver.run.outcome import ExitCode
from tests.catalog.site import (
    article_page,
    catalog_rows,
    cataloged_paths,
    listing,
    validated,
    warcio_check,
)
from tests.crawling import FAST, Record, run_archiver, wait_for

ARTICLES = [f"/news/k{n}" for n in range(1, 13)]
LATE = ["/news/late1", "/news/late2", "/news/late3"]  # linked only from the slow page


def routes(slow_delay: float) -> dict[str, Route]:
    table = {
        "/": validated(listing("Home", [*ARTICLES, "/slow"]), "home"),
        "/slow": Route(body=listing("Slow section", LATE), delay=slow_delay),
    }
    for n, path in enumerate([*ARTICLES, *LATE], 1):
        table[path] = validated(article_page(f"Kill test story {n}", 500 + n), f"k{n}")
    return table


def start_crawl(base_url: str, output: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "archiver", "crawl", "--url", base_url + "/", "--output",
         str(output), *FAST, *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def torn_member(warc: Path) -> bytes:
    """The first half of a real record's gzip member: a write cut short by a kill."""
    member = gzip.compress(Record.at(warc, 0).warc_head + b"\r\n\r\n" + b"x" * 4000)
    return member[: len(member) // 2]


@pytest.fixture(scope="module")
def killed_then_recovered(tmp_path_factory):
    output = tmp_path_factory.mktemp("killed")
    with serve(routes(slow_delay=60)) as site:
        killed = start_crawl(site.base_url, output, "--crawl-id", "killed")
        try:
            wait_for(lambda: "/slow" in site.log.paths(), "the crawl to reach /slow")
            wait_for(lambda: set(ARTICLES) <= set(site.log.paths()), "the other articles")
            wait_for(lambda: set(ARTICLES) <= cataloged_paths(output, site.base_url, "killed"),
                     "their records on disk and their rows committed while /slow is pending")
            overlapping = run_archiver("crawl", "--url", site.base_url + "/", "--output",
                                       str(output), "--crawl-id", "overlap", *FAST)
        finally:
            killed.send_signal(signal.SIGKILL)
            killed.communicate(timeout=30)
        open_files = sorted((output / "warc").glob("*.open"))
        assert len(open_files) == 1, "the killed run left its file open"
        intact_size = open_files[0].stat().st_size
        with open(open_files[0], "ab") as stream:
            stream.write(torn_member(open_files[0]))
        site.routes["/slow"].delay = 0
        recovered = run_archiver("crawl", "--url", site.base_url + "/", "--output",
                                 str(output), "--crawl-id", "recovered", *FAST)
    assert killed.returncode == -signal.SIGKILL
    assert recovered.returncode == 0, recovered.stderr[-3000:]
    return output, site.base_url, overlapping, open_files[0], intact_size, recovered


def test_an_overlapping_run_is_refused_cleanly(killed_then_recovered):
    output, _, overlapping, *_ = killed_then_recovered
    assert overlapping.returncode == ExitCode.LOCKED
    assert "another archiver run is using this output directory" in overlapping.stderr
    assert "crawl killed, pid" in overlapping.stderr, "the message names the running crawl"
    assert "Traceback" not in overlapping.stderr
    assert not list((output / "warc").glob("overlap-*")), "the refused run wrote nothing"
    assert not (output / "overlap.jsonl").exists()
    assert catalog_rows(output, "SELECT id FROM crawls WHERE id = 'overlap'") == []


def test_the_open_file_is_cut_to_its_last_whole_record_and_closed(killed_then_recovered):
    output, _, _, open_file, intact_size, _ = killed_then_recovered
    assert not list((output / "warc").glob("*.open"))
    closed = open_file.with_name(open_file.name.removesuffix(".open"))
    assert closed.exists() and closed.stat().st_size <= intact_size
    stats = json.loads(catalog_rows(output, "SELECT stats FROM crawls WHERE id = 'recovered'")
                       [0][0])
    assert stats["archiver/recovery/files_mended"] == 1
    assert stats["archiver/recovery/interrupted_runs"] == 1


def test_all_warc_files_pass_warcio_check_and_ours(killed_then_recovered):
    output = killed_then_recovered[0]
    files = [str(p) for p in sorted((output / "warc").glob("*.warc.gz"))]
    assert len(files) == 2
    checked = warcio_check(files)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    ours = run_archiver("check", *files)
    assert ours.returncode == 0, ours.stdout


def test_every_catalog_row_and_item_resolves_to_its_record(killed_then_recovered):
    output = killed_then_recovered[0]
    rows = catalog_rows(output, "SELECT warc_filename, warc_offset, warc_length, record_id "
                        "FROM captures")
    assert {crawl for crawl, in catalog_rows(output, "SELECT DISTINCT crawl_id FROM captures")
            } == {"killed", "recovered"}
    for filename, offset, length, record_id in rows:
        path = output / "warc" / filename
        assert path.stat().st_size >= offset + length
        assert Record.at(path, offset).header("WARC-Record-ID") == record_id
    items = [json.loads(line) for path in sorted(output.glob("*.jsonl"))
             for line in path.read_text().splitlines() if line]
    assert items
    for item in items:
        record = Record.at(output / "warc" / item["warc_filename"], item["warc_offset"])
        assert record.header("WARC-Record-ID") == item["warc_record_id"]


def test_no_url_is_lost(killed_then_recovered):
    output, base, *_ = killed_then_recovered
    captured = {url.removeprefix(base) for url, in catalog_rows(
        output, "SELECT url FROM captures WHERE status IN (200, 304)")}
    assert {"/", "/slow", *ARTICLES, *LATE} <= captured
    emitted = {json.loads(line)["url"].removeprefix(base) for path in output.glob("*.jsonl")
               for line in path.read_text().splitlines() if line}
    assert {*ARTICLES, *LATE} <= emitted


def test_the_killed_run_is_recorded_as_interrupted(killed_then_recovered):
    output = killed_then_recovered[0]
    status = dict(catalog_rows(output, "SELECT id, status FROM crawls"))
    assert status == {"killed": "interrupted", "recovered": "finished"}


def test_sigint_pauses_and_the_next_run_resumes(tmp_path: Path):
    output = tmp_path / "paused"
    with serve(routes(slow_delay=3)) as site:
        first = start_crawl(site.base_url, output, "--crawl-id", "resumable")
        try:
            wait_for(lambda: "/slow" in site.log.paths(), "the crawl to reach /slow")
            first.send_signal(signal.SIGINT)
            first.communicate(timeout=60)
        finally:
            if first.poll() is None:
                first.kill()
        assert first.returncode == ExitCode.PAUSED
        state = json.loads((output / "job" / "archiver-job.json").read_text())
        assert state == {"crawl_id": "resumable", "state": "paused"}
        assert catalog_rows(output, "SELECT status FROM crawls") == [("paused",)]
        paused_at = len(site.log.entries)
        second = run_archiver("crawl", "--url", site.base_url + "/", "--output", str(output),
                              *FAST)
        resumed_paths = site.log.paths()[paused_at:]
    assert second.returncode == 0, second.stderr[-3000:]
    assert "resuming paused crawl resumable" in second.stderr
    assert catalog_rows(output, "SELECT id, status FROM crawls") == [("resumable", "finished")]
    assert set(LATE) <= set(resumed_paths), "the pending requests were resumed"
    assert "/slow" not in resumed_paths and "/" not in resumed_paths, "fetched pages are not"
    assert not (output / "job").exists(), "a finished run leaves no job state behind"


def test_a_run_that_gets_no_response_fails_for_the_scheduler(tmp_path: Path):
    with socket.socket() as closed_port:
        # Bound but not listening: every connection is refused, and no other process can
        # take the port while the test holds it.
        closed_port.bind(("127.0.0.1", 0))
        port = closed_port.getsockname()[1]
        down = run_archiver("crawl", "--url", f"http://127.0.0.1:{port}/", "--output",
                            str(tmp_path), "--crawl-id", "down", *FAST, "-s", "RETRY_TIMES=0")
    assert down.returncode == 1, down.stdout + down.stderr[-2000:]
    assert "crawl down: failed (no response at all)" in down.stdout
    assert catalog_rows(tmp_path, "SELECT status, exit_code FROM crawls") == [("failed", 1)]
