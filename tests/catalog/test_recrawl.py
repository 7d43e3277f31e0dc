"""Two runs over the same loopback site: conditional requests, revisit records,
deduplication, and each article's verdict history in the catalog.

Between the runs the site changes as news sites do: one article goes behind
the paywall, a section page gains a link, and a new URL serves a copy of an
article published in the first run.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from archiver.capture.link import PROFILE_IDENTICAL, PROFILE_NOT_MODIFIED
from archiver.demo.server import serve
from tests.catalog.site import article_page, catalog_rows, listing, validated, warcio_check
from tests.crawling import Record, crawl, read_records, run_archiver

ARTICLES = [f"/news/a{n}" for n in range(1, 11)]
LAST_MODIFIED_ONLY = {"/news/a5", "/news/a6"}
UNCHANGED = ["/robots.txt", "/", *ARTICLES, "/print/a1"]


def first_routes() -> dict:
    routes = {
        "/robots.txt": validated(b"User-agent: *\nAllow: /\n", "robots"),
        "/": validated(listing("Home", ["/section/news", "/news/turning", "/print/a1"]), "home"),
        "/section/news": validated(listing("News", ARTICLES), "news-v1"),
        "/news/turning": validated(article_page("Ferry fares to rise", 100), "turning-v1"),
    }
    routes["/robots.txt"].content_type = b"text/plain"
    for n, path in enumerate(ARTICLES, 1):
        routes[path] = validated(article_page(f"Story number {n}", n), f"a{n}",
                                 etag=path not in LAST_MODIFIED_ONLY)
    routes["/print/a1"] = validated(routes["/news/a1"].body, "print-a1")
    routes["/news/a3"].gzip = True  # a 304 hands on the stored, still-encoded body
    routes["/news/a4"].chunked = True
    return routes


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    output = tmp_path_factory.mktemp("recrawl")
    with serve(first_routes()) as site:
        first = crawl(site.base_url + "/", output, "--crawl-id", "run1")
        first_requests = len(site.log.entries)
        site.routes["/news/turning"] = validated(
            article_page("Ferry fares to rise", 100, paywalled=True), "turning-v2")
        site.routes["/section/news"] = validated(
            listing("News", [*ARTICLES, "/news/mirror"]), "news-v2")
        site.routes["/news/mirror"] = validated(site.routes["/news/a2"].body, "mirror")
        second = crawl(site.base_url + "/", output, "--crawl-id", "run2")
        second_log = site.log.entries[first_requests:]
    for result in (first, second):
        assert result.process.returncode == 0, result.process.stderr[-3000:]
    return output, site.base_url, first, second, second_log


def by_crawl(output: Path, crawl_id: str) -> list[Record]:
    return [r for path in sorted((output / "warc").glob(f"{crawl_id}-*.warc.gz"))
            for r in read_records(path)]


def http_records(records: list[Record], base: str) -> dict[str, Record]:
    return {r.target.removeprefix(base): r for r in records
            if r.rec_type in ("response", "revisit")}


def test_second_run_sends_conditional_requests(runs):
    _, _, _, _, log = runs
    sent = {path: headers for _, path, headers in log}
    for path in [*UNCHANGED, "/section/news", "/news/turning"]:
        if path in LAST_MODIFIED_ONLY:
            assert sent[path].get("If-Modified-Since") == "Tue, 24 Nov 2026 08:00:00 GMT", path
            assert "If-None-Match" not in sent[path], path
        else:
            assert sent[path].get("If-None-Match") == f'"{path_tag(path)}"', path
    assert "If-None-Match" not in sent["/news/mirror"], "a new URL has nothing to validate"


def path_tag(path: str) -> str:
    return {"/robots.txt": "robots", "/": "home", "/section/news": "news-v1",
            "/news/turning": "turning-v1", "/print/a1": "print-a1"}.get(path, path[6:])


def test_unchanged_pages_are_not_modified_revisits_of_the_first_capture(runs):
    output, base, _, _, _ = runs
    first = http_records(by_crawl(output, "run1"), base)
    second = http_records(by_crawl(output, "run2"), base)
    by_id = {r.header("WARC-Record-ID"): r for r in first.values()}
    for path in UNCHANGED:
        revisit, original = second[path], first[path]
        if original.rec_type == "revisit":  # /news/a1 or /print/a1, whichever came second
            original = by_id[original.header("WARC-Refers-To")]
        assert revisit.rec_type == "revisit", path
        assert revisit.header("WARC-Profile") == PROFILE_NOT_MODIFIED, path
        assert revisit.first_line == b"HTTP/1.1 304 Not Modified", path
        assert revisit.payload == b"", "a revisit stores no payload"
        assert original is not None and original.rec_type == "response"
        assert revisit.header("WARC-Refers-To") == original.header("WARC-Record-ID"), path
        assert revisit.header("WARC-Refers-To-Target-URI") == original.target, path
        assert revisit.header("WARC-Refers-To-Date") == original.header("WARC-Date"), path
        assert revisit.header("WARC-Payload-Digest") == original.header("WARC-Payload-Digest")


def test_changed_pages_are_archived_in_full(runs):
    output, base, _, _, _ = runs
    second = http_records(by_crawl(output, "run2"), base)
    for path in ("/news/turning", "/section/news"):
        assert second[path].rec_type == "response", path
        assert second[path].first_line == b"HTTP/1.1 200 OK"
    assert b"Subscribe to keep reading" in second["/news/turning"].payload


def test_identical_payloads_are_deduplicated_within_and_across_runs(runs):
    output, base, _, _, _ = runs
    first = http_records(by_crawl(output, "run1"), base)
    second = http_records(by_crawl(output, "run2"), base)
    pair = [first["/news/a1"], first["/print/a1"]]
    originals = [r for r in pair if r.rec_type == "response"]
    duplicates = [r for r in pair if r.rec_type == "revisit"]
    assert len(originals) == 1 and len(duplicates) == 1, "same payload, two URLs, one run"
    assert duplicates[0].header("WARC-Profile") == PROFILE_IDENTICAL
    assert duplicates[0].header("WARC-Refers-To") == originals[0].header("WARC-Record-ID")
    assert duplicates[0].header("WARC-Refers-To-Target-URI") == originals[0].target
    mirror = second["/news/mirror"]
    assert mirror.rec_type == "revisit" and mirror.header("WARC-Profile") == PROFILE_IDENTICAL
    assert mirror.header("WARC-Refers-To") == first["/news/a2"].header("WARC-Record-ID")
    assert mirror.header("WARC-Refers-To-Date") == first["/news/a2"].header("WARC-Date")
    assert mirror.first_line == b"HTTP/1.1 200 OK", "the duplicate's own HTTP headers are kept"


def test_small_payloads_are_not_deduplicated(runs):
    output, base, _, _, _ = runs
    first = http_records(by_crawl(output, "run1"), base)
    assert first["/robots.txt"].rec_type == "response"


def test_second_run_writes_well_under_a_quarter_of_the_first(runs):
    output, _, _, _, _ = runs
    sizes = {crawl_id: sum(p.stat().st_size for p in (output / "warc").glob(f"{crawl_id}-*"))
             for crawl_id in ("run1", "run2")}
    assert sizes["run1"] > 200_000, "pages must be realistically sized for this to mean much"
    assert sizes["run2"] < 0.25 * sizes["run1"], sizes


def test_all_files_pass_warcio_check_and_ours(runs):
    output = runs[0]
    files = [str(p) for p in sorted((output / "warc").glob("*.warc.gz"))]
    warcio = warcio_check(files)
    assert warcio.returncode == 0, warcio.stdout + warcio.stderr
    ours = run_archiver("check", *files)
    assert ours.returncode == 0, ours.stdout


def test_items_of_unchanged_articles_point_at_revisits_and_keep_their_text(runs):
    output, base, first, second, _ = runs
    before = {i["url"].removeprefix(base): i for i in first.items() if i["crawl_id"] == "run1"}
    after = {i["url"].removeprefix(base): i for i in second.items() if i["crawl_id"] == "run2"}
    assert set(ARTICLES) <= set(after), "every article is emitted again"
    for path in ARTICLES:
        record = Record.at(output / "warc" / after[path]["warc_filename"],
                           after[path]["warc_offset"])
        assert record.rec_type == "revisit"
        assert record.header("WARC-Record-ID") == after[path]["warc_record_id"]
        assert after[path]["text"] == before[path]["text"], "re-analysed from the stored payload"
        assert after[path]["paywall"]["detected"] == before[path]["paywall"]["detected"]


def test_catalog_keeps_each_articles_verdict_history(runs):
    output, base, _, _, _ = runs
    history = catalog_rows(
        output, "SELECT url, crawl_id, detected, kind, not_modified FROM verdict_history "
        "ORDER BY url, observed_at")
    per_url: dict[str, list[tuple]] = {}
    for url, crawl_id, detected, kind, not_modified in history:
        per_url.setdefault(url.removeprefix(base), []).append(
            (crawl_id, bool(detected), kind, bool(not_modified)))
    for path in ARTICLES:
        assert per_url[path] == [("run1", False, None, False), ("run2", False, None, True)], path
    turning = per_url["/news/turning"]
    assert [(c, d) for c, d, _, _ in turning] == [("run1", False), ("run2", True)]
    assert turning[1][2] in ("hard", "soft") and not turning[1][3]


def test_one_query_says_when_an_article_became_paywalled(runs):
    output, base, _, _, _ = runs
    changes = catalog_rows(
        output, "SELECT crawl_id, detected, previous_detected FROM verdict_changes "
        "WHERE url = ? ORDER BY observed_at", base + "/news/turning")
    assert [(c, bool(d), p if p is None else bool(p)) for c, d, p in changes] == [
        ("run1", False, None), ("run2", True, False)]
    unchanged = catalog_rows(
        output, "SELECT count(*) FROM verdict_changes WHERE url = ?", base + "/news/a3")
    assert unchanged == [(1,)], "an article that never changed has only its first verdict"


def test_every_catalog_row_resolves_to_its_record(runs):
    output = runs[0]
    rows = catalog_rows(output, "SELECT warc_filename, warc_offset, warc_length, record_id, "
                        "record_type FROM captures")
    assert len(rows) > 20
    for filename, offset, length, record_id, record_type in rows:
        record = Record.at(output / "warc" / filename, offset)
        assert record.header("WARC-Record-ID") == record_id
        assert record.rec_type == record_type
        assert (output / "warc" / filename).stat().st_size >= offset + length


def test_runs_lists_both_runs_with_their_summaries(runs):
    output = runs[0]
    table = run_archiver("runs", "--output", str(output))
    assert table.returncode == 0
    lines = table.stdout.splitlines()
    assert lines[1].startswith("run2") and lines[2].startswith("run1")
    as_json = run_archiver("runs", "--output", str(output), "--json")
    summaries = {run["id"]: run for run in map(json.loads, as_json.stdout.splitlines())}
    second = summaries["run2"]["summary"]
    assert second["revisits_not_modified"] == len(UNCHANGED)
    assert second["revisits_identical"] == 1 and second["conditional_requests"] >= 11
    assert second["paywalled"]["hard"] + second["paywalled"]["soft"] == 1
    assert summaries["run1"]["exit_code"] == 0 and summaries["run1"]["status"] == "finished"
    assert summaries["run1"]["settings"]["ARCHIVER_CRAWL_ID"] == "run1"
    history = run_archiver("runs", "--output", str(output), "--history",
                           runs[1] + "/news/turning")
    assert history.returncode == 0
    assert "free" in history.stdout.splitlines()[0]
    assert "paywalled" in history.stdout.splitlines()[1]


def test_console_summary_reports_revisits(runs):
    second = runs[3]
    assert re.search(rf"revisits, 304: +{len(UNCHANGED)}\n", second.process.stdout)
    assert re.search(r"revisits, duplicate: +1\n", second.process.stdout)


def test_unchanged_recrawl_writes_no_new_verdict_records(runs):
    _, base, _, second, _ = runs
    described = {
        record.target.removeprefix("urn:paywall-verdict:" + base)
        for path in second.warc_files if path.name.startswith("run2-")
        for record in read_records(path) if record.rec_type == "metadata"
        and record.target.startswith("urn:paywall-verdict:")
    }
    assert described == {"/news/turning", "/news/mirror"}, "only new or changed verdicts"
    items = {item["url"].removeprefix(base) for item in second.items()
             if item["crawl_id"] == "run2"}
    assert {"/news/a1", "/news/a3", "/news/turning"} <= items, "revisited articles still emit"
