"""Discovery against a loopback news site the crawler has never seen: a sitemap index,
a Google News sitemap named only in robots.txt, an RSS feed, an Atom feed announced by
``<link rel="alternate">``, section pages, hub pages and a robots.txt-disallowed path."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from archiver.demo.server import serve
from tests.crawling import FAST, CrawlOutput, Record, run_archiver
from tests.discovery import loopsite
from tests.discovery.loopsite import (
    ARTICLES,
    ATOM_ARTICLE,
    DISALLOWED_ARTICLE,
    HUBS,
    INDEX_ARTICLE,
    NEWS_SITEMAP_ARTICLE,
    NOT_FOR_HUBS,
    OLD_ARTICLE,
    PHOTOS,
    REQUISITES,
    RSS_ARTICLE,
    SECTION_ARTICLE,
    config_yaml,
    site_routes,
)

DISCOVERY_FILES = ["/robots.txt", "/sitemap_index.xml", "/sitemaps/posts-1.xml",
                   "/sitemaps/posts-old.xml.gz", "/news-sitemap.xml", "/feeds/latest.rss",
                   "/feeds/atom.xml"]


def crawl_site(tmp: Path, *args: str) -> tuple[CrawlOutput, list[str], str]:
    """Serve a fresh copy of the site, write its config, crawl it; the request log too."""
    sites = tmp / "sites"
    sites.mkdir(parents=True, exist_ok=True)
    with serve(site_routes()) as site:
        (sites / "loopnews.yaml").write_text(config_yaml(site.base_url), encoding="utf-8")
        process = run_archiver("crawl", "loopnews", "--sites-dir", str(sites),
                               "--output", str(tmp / "out"), *FAST, *args)
        return CrawlOutput(tmp / "out", process), list(site.log.paths()), site.base_url


@pytest.fixture(scope="module")
def news_crawl(tmp_path_factory: pytest.TempPathFactory):
    return crawl_site(tmp_path_factory.mktemp("news"))


def responses(result: CrawlOutput) -> list[Record]:
    return [r for r in result.records() if r.rec_type == "response"]


def test_crawl_succeeds(news_crawl):
    result, _, _ = news_crawl
    assert result.process.returncode == 0, result.process.stderr[-3000:]
    assert "Spider error" not in result.process.stderr


def test_every_article_found_through_its_own_discovery_path(news_crawl):
    result, _, base = news_crawl
    urls = Counter(item["url"] for item in result.items())
    assert set(urls) == {base + path for path in ARTICLES}
    assert all(count == 1 for count in urls.values()), urls


def test_each_page_requested_and_archived_once(news_crawl):
    result, log, base = news_crawl
    requested = Counter(log)
    for path in [*ARTICLES, *HUBS, *DISCOVERY_FILES, *REQUISITES, *PHOTOS.values()]:
        assert requested[path] == 1, (path, requested[path])
    archived = Counter(r.target for r in responses(result))
    assert {url for url, n in archived.items() if n > 1} == set()
    assert set(archived) == {base + path for path in requested}


def test_items_point_at_their_response_records(news_crawl):
    result, _, _ = news_crawl
    for item in result.items():
        record = Record.at(result.directory / "warc" / item["warc_filename"],
                           item["warc_offset"])
        assert record.rec_type == "response" and record.target == item["url"]
        assert record.header("WARC-Record-ID") == item["warc_record_id"]


def test_hub_pages_archived_but_not_emitted(news_crawl):
    result, _, base = news_crawl
    archived = {r.target for r in responses(result)}
    emitted = {item["url"] for item in result.items()}
    for path in HUBS:
        assert base + path in archived and base + path not in emitted, path


def test_robots_disallowed_path_never_requested(news_crawl):
    result, log, base = news_crawl
    assert DISALLOWED_ARTICLE not in log, "linked from home and listed in the news sitemap"
    assert not any(r.target == base + DISALLOWED_ARTICLE for r in result.records())
    assert log.count("/robots.txt") == 1


def test_feeds_and_sitemaps_are_archived(news_crawl):
    result, _, base = news_crawl
    payloads = {r.target: r.payload for r in responses(result)}
    assert b"<sitemapindex" in payloads[base + "/sitemap_index.xml"]
    assert b"news:publication_date" in payloads[base + "/news-sitemap.xml"]
    assert payloads[base + "/sitemaps/posts-old.xml.gz"][:2] == b"\x1f\x8b"
    assert b"<rss" in payloads[base + "/feeds/latest.rss"]
    assert b"<feed" in payloads[base + "/feeds/atom.xml"]


def test_article_requisites_in_the_warc_but_never_items(news_crawl):
    result, log, base = news_crawl
    payloads = {r.target: r for r in responses(result)}
    css = payloads[base + "/static/site.css"]
    assert b"Content-Encoding: gzip" in css.http_head, "stored as it came off the wire"
    for path in [*REQUISITES, *PHOTOS.values()]:
        assert base + path in payloads, path
    assert payloads[base + "/static/fonts/serif.woff2"].payload == b"wOF2\x00fontbytes"
    assert NOT_FOR_HUBS not in log, "hub pages' requisites are not fetched"
    assert not any("ads.invalid" in (r.target or "") for r in result.records()), (
        "requisites on hosts outside the site and its CDNs are not fetched")
    assert not any("/static/" in item["url"] for item in result.items())


def test_site_paywall_hints_reach_the_verdict(news_crawl):
    result, _, _ = news_crawl
    verdicts = [item["paywall"] for item in result.items()]
    assert verdicts and all(v["declared"] == "metered" for v in verdicts), (
        "the config's declared_override")


def test_since_skips_old_sitemaps_and_entries(tmp_path: Path):
    result, log, base = crawl_site(tmp_path, "--since", "2d")
    assert result.process.returncode == 0, result.process.stderr[-3000:]
    assert "/sitemaps/posts-old.xml.gz" not in log, "index entry with an old lastmod"
    assert OLD_ARTICLE not in log, "news sitemap entry with an old publication_date"
    assert {item["url"] for item in result.items()} == {
        base + path for path in ARTICLES if path != OLD_ARTICLE}


def test_adhoc_url_crawl_uses_the_same_discovery(tmp_path: Path):
    """No config: robots.txt sitemaps and announced feeds still find unlinked articles."""
    with serve(site_routes()) as site:
        process = run_archiver("crawl", "--url", site.base_url + "/", "--output",
                               str(tmp_path), *FAST)
        log = list(site.log.paths())
    result = CrawlOutput(tmp_path, process)
    assert process.returncode == 0, process.stderr[-3000:]
    found = {item["url"].removeprefix(site.base_url) for item in result.items()}
    assert {NEWS_SITEMAP_ARTICLE, RSS_ARTICLE, ATOM_ARTICLE, SECTION_ARTICLE} <= found
    assert INDEX_ARTICLE not in found, "the sitemap index is named only in the config"
    assert DISALLOWED_ARTICLE not in log
    assert "/static/site.css" in log and loopsite.PHOTOS[SECTION_ARTICLE] in log


def test_broken_config_refused_before_any_request(tmp_path: Path):
    sites = tmp_path / "sites"
    sites.mkdir()
    with serve(site_routes()) as site:
        config = config_yaml(site.base_url).replace("sitemaps:", "sitemap:")
        (sites / "loopnews.yaml").write_text(
            config + "politeness:\n  concurrency: 9\n", encoding="utf-8")
        process = run_archiver("crawl", "loopnews", "--sites-dir", str(sites),
                               "--output", str(tmp_path / "out"), *FAST)
        assert site.log.paths() == [], "not even robots.txt"
    assert process.returncode == 2
    path = str(sites / "loopnews.yaml")
    assert f"{path}: key 'sitemap': unknown key" in process.stderr
    assert f"{path}: key 'politeness.concurrency'" in process.stderr
    assert not (tmp_path / "out" / "warc").exists() or not list(
        (tmp_path / "out" / "warc").iterdir())


def test_scrapy_crawl_news_refuses_a_broken_config(tmp_path: Path):
    """The plain Scrapy command validates too, in the spider, before the engine starts."""
    sites = tmp_path / "sites"
    sites.mkdir()
    with serve(site_routes()) as site:
        (sites / "loopnews.yaml").write_text(
            config_yaml(site.base_url).replace("language: en", "language: English"),
            encoding="utf-8")
        process = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "news", "-a", "site=loopnews",
             "-s", f"ARCHIVER_SITES_DIR={sites}", "-s", f"ARCHIVER_OUTPUT_DIR={tmp_path}"],
            capture_output=True, text=True, timeout=120,
            cwd=Path(__file__).resolve().parents[2],
        )
        assert site.log.paths() == []
    assert process.returncode != 0
    assert f"{sites / 'loopnews.yaml'}: key 'language'" in process.stderr
