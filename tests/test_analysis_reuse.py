"""Recrawl for almost nothing: an unchanged page's stored analysis is reused, by
detector version; ``--reanalyse`` runs it again; ``ARCHIVER_ANALYSIS=off``
archives only, and ``archiver reextract`` analyses the archive later."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

import archiver.article
import archiver.reuse
from archiver import __version__
from archiver.demo.server import serve
from archiver.paywall.data import DATA_DIR
from archiver.reuse import detector_version
from tests.catalog.site import article_page, catalog_rows, listing, validated
from tests.crawling import FAST, crawl, read_records, run_archiver

ARTICLES = [f"/news/a{n}" for n in range(1, 4)]
GZIPPED = (1, 2)
"""The articles sent with ``Content-Encoding: gzip``."""
COMPARED = ("title", "published", "authors", "language", "text", "word_count", "paywall")


def routes() -> dict:
    site = {"/robots.txt": validated(b"User-agent: *\nAllow: /\n", "robots"),
            "/": validated(listing("Home", ARTICLES), "home")}
    site["/robots.txt"].content_type = b"text/plain"
    for n, path in enumerate(ARTICLES, 1):
        site[path] = validated(article_page(f"Story number {n}", n, paywalled=n == 3), f"a{n}")
        site[path].gzip = n in GZIPPED
    return site


def crawl_stats(output: Path, crawl_id: str) -> dict:
    [(stats,)] = catalog_rows(output, "SELECT stats FROM crawls WHERE id = ?", crawl_id)
    return json.loads(stats)


def articles(result, crawl_id: str, base: str) -> dict[str, dict]:
    return {item["url"].removeprefix(base): {key: item[key] for key in COMPARED}
            for item in result.items() if item["crawl_id"] == crawl_id}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    output = tmp_path_factory.mktemp("reuse")
    with serve(routes()) as site:
        results = {crawl_id: crawl(site.base_url + "/", output, "--crawl-id", crawl_id, *extra)
                   for crawl_id, extra in (("first", ()), ("unchanged", ()),
                                           ("forced", ("--reanalyse",)))}
    for result in results.values():
        assert result.process.returncode == 0, result.process.stderr[-3000:]
    return output, site.base_url, results


def test_an_unchanged_recrawl_reuses_every_stored_analysis(runs):
    output, base, results = runs
    assert "archiver/analysis/reused" not in crawl_stats(output, "first")
    assert crawl_stats(output, "unchanged")["archiver/analysis/reused"] == len(ARTICLES)
    # Not even parsed: the home page and every article follow their stored links.
    assert crawl_stats(output, "unchanged")["archiver/discovery/reused"] == len(ARTICLES) + 1
    first = articles(results["unchanged"], "first", base)
    assert set(first) == set(ARTICLES)
    assert first["/news/a3"]["paywall"]["detected"], "the walled article keeps its verdict"
    assert articles(results["unchanged"], "unchanged", base) == first


def test_a_replayed_page_whose_analysis_is_reused_is_not_decoded_again(runs):
    output, _, _ = runs
    decoded = {crawl_id: crawl_stats(output, crawl_id).get("httpcompression/response_count")
               for crawl_id in ("first", "unchanged", "forced")}
    # The same items as the first run's (above), from the archived bodies left encoded;
    # analysed again (--reanalyse), each replayed body is decoded again.
    assert decoded == {"first": len(GZIPPED), "unchanged": None, "forced": len(GZIPPED)}


def test_a_reused_article_keeps_its_stored_word_count(runs, monkeypatch):
    output, _, results = runs
    counts = {item["url"]: item["word_count"] for item in results["first"].items()}
    stored = catalog_rows(output, "SELECT a.url, v.article FROM verdicts v "
                                  "JOIN articles a ON a.id = v.article_id")
    assert {url: json.loads(article)["word_count"] for url, article in stored} == counts
    monkeypatch.setattr(archiver.article, "count_words", _not_counted)
    article = archiver.reuse.reused_article(json.loads(stored[0][1]))
    assert article.word_count == counts[stored[0][0]] > 50


def _not_counted(text: str) -> int:
    raise AssertionError("a stored count is reused, not counted again")


def test_every_verdict_records_the_detector_version(runs):
    output, _, _ = runs
    versions = catalog_rows(output, "SELECT DISTINCT detector_version FROM verdicts")
    assert versions == [(detector_version(),)]


def test_discovery_is_kept_with_the_payload_it_was_read_from(runs):
    output, base, _ = runs
    rows = catalog_rows(output, "SELECT url, record_type, discovery FROM captures "
                                "WHERE crawl_id = 'first' AND discovery IS NOT NULL")
    stored = {url.removeprefix(base): json.loads(found) for url, _, found in rows}
    assert {kind for _, kind, _ in rows} == {"response"}
    assert set(stored) == {"/", *ARTICLES}, "every parsed page, none other"
    assert [link.removeprefix(base) for link in stored["/"]["links"]] == ARTICLES
    assert not stored["/"]["is_article"]
    assert all(stored[path]["is_article"] for path in ARTICLES)
    revisits = catalog_rows(output, "SELECT count(*) FROM captures "
                                    "WHERE record_type = 'revisit' AND discovery IS NOT NULL")
    assert revisits == [(0,)], "a revisit holds no payload, so no discovery of its own"


def test_reanalyse_runs_the_detector_again_with_the_same_result(runs):
    output, base, results = runs
    assert "archiver/analysis/reused" not in crawl_stats(output, "forced")
    assert "archiver/discovery/reused" not in crawl_stats(output, "forced")
    assert articles(results["forced"], "forced", base) == articles(
        results["forced"], "first", base)


def test_a_changed_rule_file_is_a_new_detector_version(tmp_path: Path, monkeypatch):
    rules = tmp_path / "data"
    shutil.copytree(DATA_DIR, rules)
    monkeypatch.setattr(archiver.reuse, "DATA_DIR", rules)
    same = archiver.reuse.detector_version.__wrapped__()
    assert same == detector_version() and same.startswith(__version__ + "+")
    weights = rules / "weights.yaml"
    changed = re.sub(r"(?m)^  threshold: .*$", "  threshold: 0.51", weights.read_text())
    assert changed != weights.read_text()
    weights.write_text(changed)
    assert archiver.reuse.detector_version.__wrapped__() != same


def test_changed_detector_code_is_a_new_detector_version(tmp_path: Path, monkeypatch):
    package = tmp_path / "archiver"
    for name in archiver.reuse.ANALYSIS_CODE:
        source = archiver.reuse.PACKAGE_DIR / name
        if source.is_dir():
            shutil.copytree(source, package / name)
        else:
            package.mkdir(exist_ok=True)
            shutil.copy(source, package / name)
    monkeypatch.setattr(archiver.reuse, "PACKAGE_DIR", package)
    same = archiver.reuse.detector_version.__wrapped__()
    assert same == detector_version()
    scoring = package / "paywall" / "scoring.py"
    scoring.write_text(scoring.read_text() + "\n# a rule changed in code\n")
    assert archiver.reuse.detector_version.__wrapped__() != same


def test_capture_only_archives_without_analysis_and_reextract_analyses_later(tmp_path: Path):
    output = tmp_path / "out"
    with serve(routes()) as site:
        result = crawl(site.base_url + "/", output, "--crawl-id", "archive-first",
                       "-s", "ARCHIVER_ANALYSIS=off")
        analysed = crawl(site.base_url + "/", tmp_path / "analysed", "--crawl-id", "analysed")
    assert result.process.returncode == 0, result.process.stderr[-3000:]
    assert result.items() == []
    targets = {record.target.removeprefix(site.base_url) for path in result.warc_files
               for record in read_records(path) if record.rec_type == "response"}
    assert set(ARTICLES) <= targets
    items_path = tmp_path / "later.jsonl"
    # --no-stylesheets: the page alone, as the analysing crawl judged it (by default the
    # verdicts also read the linked stylesheets, and list them: tests/toolkit/test_stylesheets.py)
    process = run_archiver("reextract", str(output / "warc"), "-o", str(items_path),
                           "--no-stylesheets")
    assert process.returncode == 0, process.stderr[-3000:]
    later = [json.loads(line) for line in items_path.read_text().splitlines()]
    assert {item["url"].removeprefix(site.base_url): {key: item[key] for key in COMPARED}
            for item in later} == articles(analysed, "analysed", site.base_url)


def site_config(base: str, paywall: str = "") -> str:
    """The loopback site as a named site config, with ``paywall`` hints if given."""
    return (f"name: reused\ntitle: Reuse Ledger\nregion: Test\nlanguage: en\n"
            f'home: ["{base}/"]\n{paywall}')


def test_a_changed_paywall_hint_runs_detection_again(tmp_path: Path):
    """Stored verdicts are keyed by the site config, like stored discovery: a new
    ``declared_override`` is in every verdict of the next crawl, even when a crawl
    with analysis off read the pages under the new config in between."""
    sites, output = tmp_path / "sites", tmp_path / "out"
    sites.mkdir()
    config = sites / "reused.yaml"
    runs = (("plain", "", ()), ("archive-only", "paywall:\n  declared_override: metered\n",
                                ("-s", "ARCHIVER_ANALYSIS=off")),
            ("hinted", None, ()), ("again", None, ()))
    with serve(routes()) as site:
        for crawl_id, paywall, extra in runs:
            if paywall is not None:
                config.write_text(site_config(site.base_url, paywall), encoding="utf-8")
            process = run_archiver("crawl", "reused", "--sites-dir", str(sites), "--output",
                                   str(output), "--crawl-id", crawl_id, *FAST, *extra)
            assert process.returncode == 0, process.stderr[-3000:]
    items = [json.loads(line) for path in sorted(output.glob("*.jsonl"))
             for line in path.read_text(encoding="utf-8").splitlines()]
    declared = {crawl_id: sorted(item["paywall"]["declared"] or "" for item in items
                                 if item["crawl_id"] == crawl_id) for crawl_id, *_ in runs}
    assert declared["plain"] == ["", "", "paywalled"]
    assert declared["hinted"] == declared["again"] == ["metered"] * len(ARTICLES)
    assert "archiver/analysis/reused" not in crawl_stats(output, "hinted")
    assert crawl_stats(output, "again")["archiver/analysis/reused"] == len(ARTICLES)
