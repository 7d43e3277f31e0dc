"""``ARCHIVER_WARC_DIR`` elsewhere: honoured by the crawl, its summary, the recovery after
``kill -9`` and every toolkit verb given only the output directory."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

from archiver.demo.server import Route, serve
from tests.catalog.site import (
    article_page,
    cataloged_paths,
    listing,
    validated,
    warcio_check,
)
from tests.crawling import FAST, Record, run_archiver, wait_for

ARTICLES = [f"/news/w{n}" for n in range(1, 5)]


def test_a_warc_directory_elsewhere_is_honoured_everywhere(tmp_path: Path):
    output, elsewhere = tmp_path / "out", tmp_path / "disk2" / "warcs"
    placed = ["-s", f"ARCHIVER_WARC_DIR={elsewhere}"]
    routes = {"/": validated(listing("Home", [*ARTICLES, "/slow"]), "home"),
              "/slow": Route(body=listing("Slow", []), delay=60)}
    for n, path in enumerate(ARTICLES, 1):
        routes[path] = validated(article_page(f"Elsewhere story {n}", 900 + n), f"w{n}")
    with serve(routes) as site:
        killed = subprocess.Popen(
            [sys.executable, "-m", "archiver", "crawl", "--url", site.base_url + "/",
             "--output", str(output), "--crawl-id", "killed", *FAST, *placed],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            wait_for(lambda: set(ARTICLES) <= cataloged_paths(output, site.base_url, "killed"),
                     "the articles archived while /slow is pending")
        finally:
            killed.send_signal(signal.SIGKILL)
            killed.communicate(timeout=30)
        assert len(list(elsewhere.glob("*.open"))) == 1, "the killed run's file is elsewhere"
        site.routes["/slow"].delay = 0
        recovered = run_archiver("crawl", "--url", site.base_url + "/", "--output",
                                 str(output), "--crawl-id", "recovered", *FAST, *placed)
    assert recovered.returncode == 0, recovered.stderr[-3000:]
    assert not list(elsewhere.glob("*.open")), "recovery mended the file where it was"
    assert not (output / "warc").exists(), "nothing went to the default directory"
    assert str(elsewhere) in recovered.stdout, "the summary names where the WARCs are"
    warcs = sorted(elsewhere.glob("*.warc.gz"))
    assert len(warcs) == 2 and warcio_check([str(w) for w in warcs]).returncode == 0
    items = [json.loads(line) for path in sorted(output.glob("*.jsonl"))
             for line in path.read_text().splitlines() if line]
    assert {item["url"].removeprefix(site.base_url) for item in items} >= set(ARTICLES)
    for item in items:
        record = Record.at(elsewhere / item["warc_filename"], item["warc_offset"])
        assert record.header("WARC-Record-ID") == item["warc_record_id"]

    # every toolkit verb, given only the output directory
    checked = run_archiver("check", str(output))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    index = run_archiver("index", str(output), "-o", str(tmp_path / "index.cdxj"))
    assert index.returncode == 0, index.stderr
    assert (tmp_path / "index.cdxj").read_text().count("\n") >= len(ARTICLES)
    reextracted = run_archiver("reextract", str(output), "-o", str(tmp_path / "again.jsonl"))
    assert reextracted.returncode == 0, reextracted.stderr
    again = [json.loads(line) for line in (tmp_path / "again.jsonl").read_text().splitlines()]
    assert {item["warc_record_id"] for item in again} >= {i["warc_record_id"] for i in items}
    package = run_archiver("wacz", str(output), "-o", str(tmp_path / "crawl.wacz"))
    assert package.returncode == 0 and (tmp_path / "crawl.wacz").stat().st_size > 0
    report = run_archiver("report", str(output), "-o", str(tmp_path / "report.html"))
    assert report.returncode == 0, report.stderr
