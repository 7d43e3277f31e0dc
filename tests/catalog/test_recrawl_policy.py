"""When a known URL is fetched again, and how: the recrawl middleware's decisions
against a real catalog (``ARCHIVER_REVISIT_AFTER``, sitemap ``lastmod``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.test import get_crawler

from archiver.capture.link import PREVIOUS_META_KEY, RecordLink, RecordLocation
from archiver.capture.recrawl import (
    RecrawlMiddleware,
    parse_revisit_after,
    with_lastmod,
)
from archiver.catalog.store import CatalogStore, warc_date
from archiver.layout import default_catalog_url
from archiver.paywall.verdict import PaywallVerdict

ARTICLE = "http://127.0.0.1:1/news/story"
SECTION = "http://127.0.0.1:1/section/"
CAPTURED = datetime.now(UTC).replace(tzinfo=None) - timedelta(hours=2)


@pytest.fixture
def store(tmp_path: Path):
    store = CatalogStore(default_catalog_url(tmp_path))
    store.start_crawl("earlier", "site", {})
    (tmp_path / "warc").mkdir()
    for n, url in enumerate((ARTICLE, SECTION)):
        filename = f"earlier-{n}.warc.gz"
        (tmp_path / "warc" / filename).write_bytes(b"\0" * 5000)
        store.add_capture(RecordLink(
            location=RecordLocation(filename, 100, 2000, f"<urn:uuid:{n}>"), url=url,
            status=200, payload_digest=f"sha1:{n}", fetched_at=warc_date(CAPTURED),
            crawl_id="earlier", etag=f'"v{n}"', last_modified="Tue, 24 Nov 2026 08:00:00 GMT",
        ))
    store.record_article("earlier", store.capture_by_record_id("<urn:uuid:0>"), ARTICLE, None,
                         "Story", PaywallVerdict())
    yield store
    store.close()


def middleware(store: CatalogStore, tmp_path: Path, revisit_after: str) -> RecrawlMiddleware:
    crawler = get_crawler(settings_dict={
        "ARCHIVER_REVISIT_AFTER": revisit_after, "ARCHIVER_OUTPUT_DIR": str(tmp_path),
    })
    crawler.get_extension = lambda cls: SimpleNamespace(store=store)
    return RecrawlMiddleware(crawler)


def is_conditional(request: Request) -> bool:
    return request.headers.get("If-None-Match") is not None


def test_by_default_every_known_url_is_fetched_again_conditionally(store, tmp_path):
    recrawl = middleware(store, tmp_path, "0")
    request = Request(ARTICLE)
    recrawl.process_request(request)
    assert request.headers["If-None-Match"] == b'"v0"'
    assert request.headers["If-Modified-Since"] == b"Tue, 24 Nov 2026 08:00:00 GMT"
    previous = request.meta[PREVIOUS_META_KEY]
    assert (previous.record_id, previous.filename, previous.offset) == (
        "<urn:uuid:0>", "earlier-0.warc.gz", 100)
    assert previous.date == warc_date(CAPTURED)


def test_unknown_urls_are_fetched_plainly(store, tmp_path):
    request = Request("http://127.0.0.1:1/news/new")
    middleware(store, tmp_path, "0").process_request(request)
    assert not is_conditional(request) and PREVIOUS_META_KEY not in request.meta


def test_revisit_after_spaces_article_refetches_but_never_section_pages(store, tmp_path):
    for setting in ("6h", "never"):
        recrawl = middleware(store, tmp_path, setting)
        with pytest.raises(IgnoreRequest, match="ARCHIVER_REVISIT_AFTER"):
            recrawl.process_request(Request(ARTICLE))
        section = Request(SECTION)
        recrawl.process_request(section)
        assert is_conditional(section), setting
    due = Request(ARTICLE)
    middleware(store, tmp_path, "1h").process_request(due)
    assert is_conditional(due), "captured two hours ago, revisit after one hour"


def test_a_newer_sitemap_lastmod_always_triggers_a_full_fetch(store, tmp_path):
    recrawl = middleware(store, tmp_path, "never")
    newer = with_lastmod(Request(ARTICLE), datetime.now(UTC).isoformat())
    recrawl.process_request(newer)
    assert not is_conditional(newer) and PREVIOUS_META_KEY not in newer.meta
    older = with_lastmod(Request(ARTICLE), (CAPTURED - timedelta(days=1)).date().isoformat())
    with pytest.raises(IgnoreRequest):
        recrawl.process_request(older)


def test_a_redirect_does_not_carry_validators_to_another_url(store, tmp_path):
    recrawl = middleware(store, tmp_path, "0")
    request = Request(ARTICLE)
    recrawl.process_request(request)
    redirected = request.replace(url="http://127.0.0.1:1/elsewhere")
    recrawl.process_request(redirected)
    assert not is_conditional(redirected) and PREVIOUS_META_KEY not in redirected.meta


def test_no_conditional_request_when_the_earlier_record_is_gone(store, tmp_path):
    (tmp_path / "warc" / "earlier-0.warc.gz").unlink()
    request = Request(ARTICLE)
    middleware(store, tmp_path, "0").process_request(request)
    assert not is_conditional(request), "a 304 could not be resolved to a payload"


@pytest.mark.parametrize(("value", "expected"), [
    ("0", timedelta(0)), ("90m", timedelta(minutes=90)), ("6h", timedelta(hours=6)),
    ("2d", timedelta(days=2)), ("1w", timedelta(weeks=1)), ("never", None),
])
def test_revisit_after_values(value, expected):
    assert parse_revisit_after(value) == expected


def test_a_bad_revisit_after_names_the_setting():
    with pytest.raises(ValueError, match="ARCHIVER_REVISIT_AFTER='soon'"):
        parse_revisit_after("soon")
