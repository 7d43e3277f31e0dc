"""``archiver sites probe`` against loopback sites that serve some of their facts broken.

One site answers its config's feeds and sitemaps in every way a fact goes stale
(404, 500, a redirect, HTML instead of a feed, an empty feed, only old entries, no
answer within the download timeout, a path robots.txt disallows); a second host's
robots.txt fails with 503, so nothing more is fetched there; a third's redirects to
rules that disallow its feed. The configs point at 127.0.0.1 only.
"""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta
from subprocess import CompletedProcess
from typing import NamedTuple

import pytest

from archiver.demo.server import Route, serve
from tests.crawling import FAST, CrawlOutput, run_archiver

RECENT = (datetime.now(UTC) - timedelta(hours=2)).replace(microsecond=0)
OLD = "2020-01-05T08:00:00+00:00"
XML = b"application/xml"
RSS = b"application/rss+xml"


def rss(*dates: str) -> bytes:
    items = "".join(f"<item><title>t{n}</title><link>http://127.0.0.1/a{n}</link>"
                    f"<pubDate>{when}</pubDate></item>" for n, when in enumerate(dates))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>G</title><link>/</link>'
            f"<description>d</description>{items}</channel></rss>").encode()


def urlset(*dates: str) -> bytes:
    urls = "".join(f"<url><loc>http://127.0.0.1/s{n}</loc><lastmod>{when}</lastmod></url>"
                   for n, when in enumerate(dates))
    return ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/'
            f'schemas/sitemap/0.9">{urls}</urlset>').encode()


RFC822 = RECENT.strftime("%a, %d %b %Y %H:%M:%S +0000")
INDEX = ('<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/'
         f'schemas/sitemap/0.9"><sitemap><loc>/s1.xml</loc><lastmod>{RECENT.isoformat()}'
         "</lastmod></sitemap><sitemap><loc>/s2.xml</loc></sitemap></sitemapindex>").encode()
ROUTES = {
    "/robots.txt": Route(body=b"User-agent: *\nDisallow: /private/\n\nSitemap: /sitemap_index.xml"
                         b"\nSitemap: /hidden-news-sitemap.xml\n", content_type=b"text/plain"),
    "/feeds/latest.rss": Route(body=rss(RFC822, "Mon, 06 Jan 2020 08:00:00 +0000"),
                               content_type=RSS),
    "/feeds/moved.rss": Route(status=301, headers=[(b"Location", b"/feeds/latest.rss")]),
    "/feeds/page.html": Route(body=b"<!DOCTYPE html><html><body><p>no feed here</p></body></html>"),
    "/feeds/old.rss": Route(body=rss("Sun, 05 Jan 2020 08:00:00 +0000"), content_type=RSS),
    "/feeds/empty.rss": Route(body=rss(), content_type=RSS),
    "/feeds/slow.rss": Route(body=rss(RFC822), content_type=RSS, delay=4),
    "/private/feed.rss": Route(body=rss(RFC822), content_type=RSS),
    "/sitemap_index.xml": Route(body=INDEX, content_type=XML),
    "/sitemaps/news.xml.gz": Route(body=gzip.compress(urlset(RECENT.isoformat(), OLD), mtime=0),
                                   content_type=b"application/x-gzip"),
    "/sitemaps/broken.xml": Route(status=500, body=b"oops"),
    "/sitemaps/garbage.xml": Route(body=b"<html><body>Sitemap moved</body></html>"),
    "/sitemaps/old.xml": Route(body=urlset(OLD), content_type=XML),
}
# fact path -> the verdict the probe must print for it ("ok" or the start of the reason)
EXPECTED = {
    "/feeds/latest.rss": "ok",
    "/feeds/gone.rss": "STALE: HTTP 404",
    "/feeds/moved.rss": "STALE: moved (301) to {base}/feeds/latest.rss",
    "/feeds/page.html": "STALE: not an RSS/Atom feed",
    "/feeds/old.rss": "STALE: newest entry 2020-01-05 is before",
    "/feeds/empty.rss": "STALE: lists no entries",
    "/feeds/slow.rss": "STALE: no response: DownloadTimeoutError",
    "/private/feed.rss": "STALE: disallowed by robots.txt",
    "/sitemap_index.xml": "ok",
    "/sitemaps/news.xml.gz": "ok",
    "/sitemaps/gone.xml": "STALE: HTTP 404",
    "/sitemaps/broken.xml": "STALE: HTTP 500",
    "/sitemaps/garbage.xml": "STALE: not a sitemap",
    "/sitemaps/old.xml": "STALE: newest entry 2020-01-05 is before",
}
FEEDS = [path for path in EXPECTED if "feed" in path]
SITEMAPS = [path for path in EXPECTED if path not in FEEDS]


def config(name: str, base: str, feeds: list[str], sitemaps: list[str]) -> str:
    return (f"name: {name}\nhome: ['{base}/']\nfeeds: {json.dumps(feeds)}\n"
            f"sitemaps: {json.dumps(sitemaps)}\n")


class Probed(NamedTuple):
    process: CompletedProcess[str]
    base: str
    other: str
    third: str
    log: list[str]
    other_log: list[str]
    third_log: list[str]
    output: CrawlOutput


@pytest.fixture(scope="module")
def probed(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("probe")
    sites = tmp / "sites"
    sites.mkdir()
    down = {"/robots.txt": Route(status=503, body=b"maintenance"),
            "/feed.rss": Route(body=rss(RFC822), content_type=RSS)}
    moved = {"/robots.txt": Route(status=301, headers=[(b"Location", b"/robots-new.txt")]),
             "/robots-new.txt": Route(body=b"User-agent: *\nDisallow: /feed.rss\n",
                                      content_type=b"text/plain"),
             "/feed.rss": Route(body=rss(RFC822), content_type=RSS)}
    with serve(ROUTES) as site, serve(down) as other, serve(moved) as third:
        base = site.base_url
        (sites / "gazette.yaml").write_text(config(
            "gazette", base, [base + p for p in FEEDS], [base + p for p in SITEMAPS]))
        (sites / "downtown.yaml").write_text(config(
            "downtown", other.base_url, [other.base_url + "/feed.rss"], []))
        (sites / "uptown.yaml").write_text(config(
            "uptown", third.base_url, [third.base_url + "/feed.rss"], []))
        process = run_archiver("sites", "probe", "gazette", "downtown", "uptown", "--sites-dir",
                               str(sites), "--output", str(tmp / "out"), *FAST,
                               "-s", "DOWNLOAD_TIMEOUT=1", "-s", "RETRY_TIMES=0")
        return Probed(process, base, other.base_url, third.base_url, list(site.log.paths()),
                      list(other.log.paths()), list(third.log.paths()),
                      CrawlOutput(tmp / "out", process))


def verdicts(stdout: str) -> dict[str, str]:
    """URL -> verdict column of the probe's table."""
    found = {}
    for line in stdout.splitlines():
        parts = line.split("  ")
        urls = [p.strip() for p in parts if p.strip().startswith("http://")]
        if urls:
            found[urls[0]] = line.split(urls[0], 1)[1].strip()
    return found


def test_probe_names_each_broken_feed_and_sitemap(probed: Probed):
    process, base = probed.process, probed.base
    assert process.returncode == 1, process.stderr[-3000:]
    found = verdicts(process.stdout)
    for path, expected in EXPECTED.items():
        assert found[base + path].startswith(expected.format(base=base)), (path, found[base + path])
    assert "5 of 19 robots.txt, feeds and sitemaps work; 14 stale" in process.stdout


def test_probe_reports_entries_newest_date_and_robots_sitemaps(probed: Probed):
    process, base = probed.process, probed.base
    lines = {next(p for p in line.split() if p.startswith("http")): line
             for line in process.stdout.splitlines() if "http://" in line}
    latest = lines[base + "/feeds/latest.rss"].split()
    assert latest[1:5] == ["feed", "200", "2", RECENT.strftime("%Y-%m-%d")]
    index = lines[base + "/sitemap_index.xml"]
    assert " sitemap " in index and "index of 2 sitemaps" in index
    robots = lines[base + "/robots.txt"]
    assert f"sitemaps not in the config: {base}/hidden-news-sitemap.xml" in robots


def test_robots_failure_stops_the_host_and_robots_rules_are_obeyed(probed: Probed):
    found = verdicts(probed.process.stdout)
    assert found[probed.other + "/robots.txt"].startswith("STALE: HTTP 503")
    assert found[probed.other + "/feed.rss"] == "STALE: not fetched: robots.txt unreachable"
    assert "/feed.rss" not in probed.other_log
    assert "/private/feed.rss" not in probed.log
    assert probed.log.count("/robots.txt") == 1, "robots.txt read once, by the probe itself"
    assert found[probed.third + "/robots.txt"].startswith("ok"), "its redirect is followed"
    assert found[probed.third + "/feed.rss"] == "STALE: disallowed by robots.txt"
    assert probed.third_log == ["/robots.txt", "/robots-new.txt"]


def test_every_probed_fact_is_archived(probed: Probed):
    base, other, output = probed.base, probed.other, probed.output
    targets = {r.target for r in output.records() if r.rec_type == "response"}
    fetched = {base + p for p in EXPECTED if p not in ("/private/feed.rss", "/feeds/slow.rss")}
    assert fetched | {base + "/robots.txt", other + "/robots.txt"} <= targets
    report = next((output.directory / "reports").glob("probe-*.jsonl"))
    rows = [json.loads(line) for line in report.read_text().splitlines()]
    assert len(rows) == 19 and {row["kind"] for row in rows} == {"robots", "feed", "sitemap"}
