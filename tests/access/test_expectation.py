"""``ARCHIVER_EXPECT_ACCESS=full``: a subscriber crawl stops a site that starts gating."""

from __future__ import annotations

import json
from pathlib import Path

from scrapy.utils.test import get_crawler

from archiver.access.cookies import browser_cookies, load_cookie_file
from archiver.access.expectation import LOST_STAT_PREFIX, AccessExpectation
from archiver.items import ArticleItem
from archiver.paywall.verdict import PaywallVerdict
from tests.access.site import ARTICLES, gating_site
from tests.crawling import FAST, CrawlOutput, run_archiver

AFTER = 2
COOKIES_TXT = "# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t0\tsession\tsubscriber-42\n"


def test_site_that_starts_gating_is_stopped_and_the_run_fails(tmp_path: Path):
    cookies = tmp_path / "cookies.txt"
    cookies.write_text(COOKIES_TXT)
    output = tmp_path / "out"
    with gating_site(free=3) as (base_url, log):
        sites = tmp_path / "sites"
        sites.mkdir()
        (sites / "ledger.yaml").write_text(
            f"name: ledger\nhome: ['{base_url}/']\nexpect_access: full\n"
            "articles: {allow: ['/news/']}\n")
        process = run_archiver(
            "crawl", "ledger", "--sites-dir", str(sites), "--output", str(output), *FAST,
            "-s", "CONCURRENT_REQUESTS=1", "-s", "DOWNLOAD_DELAY=0.2",
            "-s", "ROBOTSTXT_OBEY=False",
            "-s", f"ARCHIVER_EXPECT_ACCESS_AFTER={AFTER}",
            "-s", f"ARCHIVER_COOKIES_FILE={cookies}")
    crawl = CrawlOutput(output, process)
    first_gated = base_url + log.first_gated
    assert process.returncode == 1, process.stderr[-3000:]
    assert f"access lost, ledger:  gated from {first_gated}\n" in process.stdout, process.stdout
    assert "failed (expected full access lost on ledger)" in process.stdout
    # The log line names the earliest gated capture judged when the site stopped; the
    # summary's, that of all its gated verdicts (workers finish out of order).
    assert f"ledger: {AFTER} gated captures in a row, the first {base_url}/news/" in process.stderr
    # Stopped once AFTER verdicts in a row were gated: what was downloaded ahead of
    # those verdicts is still archived and judged, the rest of the site is not fetched.
    gated_served = [path for path, gated in log.served if gated]
    assert len(gated_served) >= AFTER
    assert len(log.served) < ARTICLES, log.served
    # Items follow the order analysis finishes; the pages' WARC-Dates, the order served.
    gated_items = [i["url"] for i in sorted(crawl.items(), key=lambda i: i["fetched_at"])
                   if i["paywall"]["detected"]]
    assert gated_items[:AFTER] == [base_url + p for p in gated_served[:AFTER]]
    # The subscription cookie went to the site, and into no request record.
    assert all(cookie == "session=subscriber-42" for cookie in log.cookies), log.cookies
    requests = [r for r in crawl.records() if r.rec_type == "request"]
    assert requests and not [r for r in requests if r.http_header_values("Cookie")]
    runs = run_archiver("runs", "--output", str(output))
    assert f"expected full access lost on ledger, gated from {first_gated}" in runs.stdout
    summary = json.loads(run_archiver("runs", "--output", str(output), "--json").stdout)
    assert (summary["status"], summary["exit_code"]) == ("failed", 1)
    assert summary["summary"]["access_lost"] == {"ledger": first_gated}
    assert summary["stats"]["archiver/access/skipped"] > 0, "the site's other articles dropped"


def test_storage_state_cookies_are_read(tmp_path: Path):
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"cookies": [
        {"name": "sid", "value": "abc", "domain": ".example.org", "path": "/",
         "expires": -1, "httpOnly": True, "secure": True, "sameSite": "Lax"}],
        "origins": []}))
    (cookie,) = load_cookie_file(state)
    assert (cookie.name, cookie.value, cookie.domain, cookie.secure) == (
        "sid", "abc", ".example.org", True)
    assert browser_cookies([cookie]) == [{"name": "sid", "value": "abc",
                                          "domain": ".example.org", "path": "/",
                                          "secure": True, "httpOnly": True}]


def test_unreadable_cookies_file_is_refused_before_crawling(tmp_path: Path):
    bad = tmp_path / "cookies.txt"
    bad.write_text("not a cookie file\n")
    process = run_archiver("crawl", "--url", "http://127.0.0.1:9/", "--output",
                           str(tmp_path / "out"), "-s", f"ARCHIVER_COOKIES_FILE={bad}")
    assert process.returncode == 2
    assert process.stderr.startswith(f"archiver crawl: {bad}: not a Netscape cookies.txt file"), (
        process.stderr)


def test_first_gated_capture_is_the_earliest_fetched_not_the_first_judged():
    """Analysis workers finish out of order: the site's first gated URL is the
    earliest WARC-Date among its gated verdicts, even one judged after the stop."""
    crawler = get_crawler(settings_dict={"ARCHIVER_EXPECT_ACCESS": "full",
                                         "ARCHIVER_EXPECT_ACCESS_AFTER": 2})
    crawler.stats.open_spider()
    expectation = AccessExpectation.from_crawler(crawler)
    lost = LOST_STAT_PREFIX + "news.example"

    def judged(path: str, fetched_at: str, detected: bool) -> None:
        url = f"https://news.example/{path}"
        verdict = PaywallVerdict(detected=detected, kind="hard" if detected else None)
        item = ArticleItem(url=url, final_url=url, status=200, paywall=verdict.to_dict(),
                           fetched_at=f"2026-12-01T10:00:01.{fetched_at}Z")
        expectation.item_scraped(item, None, None)

    judged("c", "000300", True)
    judged("b", "000200", True)
    assert crawler.stats.get_value(lost) == "https://news.example/b"
    judged("a", "000100", True)  # fetched first, judged after the stop
    judged("free", "000050", False)
    judged("d", "000400", True)
    assert crawler.stats.get_value(lost) == "https://news.example/a"
    assert crawler.stats.get_value("archiver/access/sites_lost") == 1
