"""``archiver index``: the sorted CDXJ index cdxj-indexer writes, for pywb and lookups."""

from __future__ import annotations

import json
import subprocess

from tests.crawling import read_records, run_archiver
from tests.toolkit.conftest import SiteCrawl, tool


def test_index_agrees_with_cdxj_indexer_line_for_line(site_crawl: SiteCrawl, tmp_path):
    warcs = [str(p) for p in site_crawl.output.warc_files]
    reference = subprocess.run([tool("cdxj-indexer"), "--sort", *warcs], capture_output=True,
                               text=True, timeout=120, check=True).stdout
    ours = run_archiver("index", *warcs)
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == reference
    to_file = run_archiver("index", str(site_crawl.directory), "-o", str(tmp_path / "i.cdxj"))
    assert to_file.returncode == 0, to_file.stderr
    assert (tmp_path / "i.cdxj").read_text() == reference


def test_index_is_sorted_by_surt_and_locates_every_response(site_crawl: SiteCrawl):
    lines = run_archiver("index", str(site_crawl.directory)).stdout.splitlines()
    assert lines == sorted(lines)
    entries = [(line.split(" ", 2)[0], json.loads(line.split(" ", 2)[2])) for line in lines]
    home_key = "1,0,0,127:" + site_crawl.base_url.rsplit(":", 1)[1] + ")/"
    assert home_key in [key for key, _ in entries]
    located = {(e["filename"], int(e["offset"])) for _, e in entries}
    for path in site_crawl.output.warc_files:
        for record in read_records(path):
            if record.rec_type == "response":
                assert (path.name, record.offset) in located, record.target


def test_index_names_a_missing_file():
    process = run_archiver("index", "/nonexistent/x.warc.gz")
    assert process.returncode == 2
    assert "/nonexistent/x.warc.gz: no such file" in process.stderr
