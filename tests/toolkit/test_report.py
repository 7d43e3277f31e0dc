"""``archiver report``: one static HTML file on paywalls per site, kind and run."""

from __future__ import annotations

import json
import re
from html import escape
from pathlib import Path

from tests.crawling import run_archiver
from tests.toolkit.conftest import CRAWL_ID, SiteCrawl, read_jsonl


def second_run(site_crawl: SiteCrawl, directory: Path) -> list[dict]:
    """A later run's items: same articles, one of them now behind a soft wall."""
    items = read_jsonl(next(site_crawl.directory.glob("*.jsonl")))
    later = []
    for item in items:
        item = dict(item, crawl_id="toolkit-run-2",
                    fetched_at=item["fetched_at"].replace("2026-", "2027-", 1))
        if item["url"].endswith("/harbour-reopens"):
            item["paywall"] = dict(item["paywall"], detected=True, kind="soft", signals=[
                {"name": "gate.hidden_body", "weight": 0.7,
                 "evidence": "<div class=\"paywall\"> hides the body"}])
        later.append(item)
    (directory / "toolkit-run-2.jsonl").write_text(
        "".join(json.dumps(i) + "\n" for i in later), encoding="utf-8")
    return items + later


def test_report_shows_shares_per_site_kind_and_run(site_crawl: SiteCrawl, tmp_path: Path):
    directory = tmp_path / "runs"
    directory.mkdir()
    for path in site_crawl.directory.glob("*.jsonl"):  # the item files, not the catalog
        (directory / path.name).write_bytes(path.read_bytes())
    items = second_run(site_crawl, directory)
    output = tmp_path / "report.html"
    process = run_archiver("report", str(directory), "-o", str(output))
    assert process.returncode == 0, process.stderr
    html = output.read_text(encoding="utf-8")
    assert "<script" not in html and "http-equiv" not in html, "static, no scripts"
    assert html.count("<svg") == 2

    site = "127.0.0.1"
    row = re.search(rf"<tr><td>{re.escape(site)}</td>(.*?)</tr>", html).group(1)
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    # articles, paywalled share, then hard, soft, registration, free with shares
    assert cells == ["8", "38%", "2 (25%)", "1 (12%)", "0 (0%)", "5 (62%)"]

    runs = re.findall(r'<tr><td class="num">\d</td><td>(toolkit-run-\d)</td>'
                      r"<td>([^<]*)</td><td>&ndash;</td>"
                      r'<td class="num">(\d+)</td><td class="num">([^<]*)</td></tr>', html)
    assert [(r[0], r[2], r[3]) for r in runs] == [(CRAWL_ID, "4", "25%"),
                                                   ("toolkit-run-2", "4", "50%")]
    for item in items:
        assert escape(item["url"]) in html
    assert escape('<div class="paywall"> hides the body') in html
    assert html.count('class="state-soft"') == 1 and html.count('class="state-hard"') == 2


def test_report_reads_the_run_history_from_the_catalog(two_runs: SiteCrawl, tmp_path: Path):
    output = tmp_path / "report.html"
    process = run_archiver("report", str(two_runs.directory), "-o", str(output))
    assert process.returncode == 0, process.stderr
    assert "in 2 runs (from catalog sqlite:///" in process.stdout
    html = output.read_text(encoding="utf-8")
    runs = re.findall(r'<tr><td class="num">\d</td><td>(run-[ab])</td>'
                      r"<td>([^<]*)</td><td>([^<]*)</td>"
                      r'<td class="num">(\d+)</td><td class="num">([^<]*)</td></tr>', html)
    assert [(r[0], r[2], r[3], r[4]) for r in runs] == [("run-a", "finished", "4", "25%"),
                                                         ("run-b", "finished", "4", "25%")]
    assert runs[0][1] < runs[1][1]
    assert html.count('class="state-hard"') == 2


def test_report_needs_item_files_or_a_catalog(tmp_path: Path):
    process = run_archiver("report", str(tmp_path), "-o", str(tmp_path / "r.html"))
    assert process.returncode == 2
    assert "no item files (*.jsonl) and no catalog.sqlite" in process.stderr
    assert not (tmp_path / "r.html").exists()
