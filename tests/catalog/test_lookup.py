"""The per-page lookups run on SQLite's own cursor (archiver.catalog.lookup) give the
rows SQLAlchemy Core gives for the same statements: the same values, converted the
same way (dates, JSON, NULLs of the outer joins), and nothing where Core finds nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import event

from archiver.capture.link import PROFILE_NOT_MODIFIED, RecordLink, RecordLocation
from archiver.catalog import store as catalog
from archiver.catalog.lookup import Lookup
from archiver.catalog.store import CatalogStore
from archiver.layout import default_catalog_url
from archiver.paywall.verdict import PaywallVerdict

SITE = "http://127.0.0.1:1/news"
JUDGED, REVISITED, HUB, NOBODY = (f"{SITE}/{name}" for name in ("judged", "revisited", "hub",
                                                                "nobody"))


def _link(url: str, n: int, refers_to: RecordLink | None = None) -> RecordLink:
    return RecordLink(
        location=RecordLocation("c.warc.gz", 100 * n, 90, f"<urn:uuid:c-{n}>"), url=url,
        status=200, payload_digest=f"sha1:{url}", crawl_id="c",
        fetched_at=f"2026-11-2{n}T08:00:0{n}.123456Z", etag=f'"{n}"',
        record_type="revisit" if refers_to else "response",
        refers_to=refers_to.original() if refers_to else None,
        profile=PROFILE_NOT_MODIFIED if refers_to else None)


@pytest.fixture
def store(tmp_path: Path):
    """An article judged twice (the latest on a revisit), one revisited, a hub with
    stored discovery and no verdict."""
    writer = CatalogStore(default_catalog_url(tmp_path))
    writer.start_crawl("c", "site", {})
    first = _link(JUDGED, 1)
    row = writer.add_capture(first)
    writer.record_article("c", row, JUDGED, None, "t", PaywallVerdict(), "v1",
                          {"title": "t", "text": "body é", "authors": ["a"]})
    again = writer.add_capture(_link(JUDGED, 2, refers_to=first))
    writer.record_article("c", again, JUDGED, None, "t", PaywallVerdict(detected=True), "v2",
                          None)
    original = _link(REVISITED, 3)
    writer.add_capture(original)
    writer.add_capture(_link(REVISITED, 4, refers_to=original))
    hub = writer.add_capture(_link(HUB, 5))
    hub.discovery = {"key": "k", "links": [JUDGED, REVISITED]}
    writer.close()
    reader = CatalogStore(default_catalog_url(tmp_path))
    yield reader
    reader.close()


LOOKUPS = [
    (catalog.LATEST_CAPTURE_LOOKUP, "url", (JUDGED, REVISITED, HUB, NOBODY)),
    (catalog.LATEST_VERDICT_LOOKUP, "url", (JUDGED, NOBODY)),
    (catalog.ANY_ARTICLE_LOOKUP, "url", (JUDGED, NOBODY)),
    (catalog.ANY_ORIGINAL_LOOKUP, "digest", (f"sha1:{HUB}", "sha1:nobody")),
]


@pytest.mark.parametrize(("lookup", "name", "keys"), LOOKUPS)
def test_a_lookup_finds_what_core_finds(store: CatalogStore, lookup: Lookup, name: str,
                                        keys: tuple[str, ...]):
    connection = store.session.connection()
    found = 0
    for key in keys:
        expected = connection.execute(lookup.statement, {name: key}).first()
        row = lookup.first(connection, {name: key})
        assert (row is None) == (expected is None)
        if expected is not None:
            assert row == tuple(expected)
            assert [type(value) for value in row] == [type(value) for value in expected]
            found += 1
    assert found == len(keys) - 1  # each lookup finds all but the last key's rows


def test_the_latest_capture_comes_with_its_dates_json_and_verdict(store: CatalogStore):
    latest = store.latest_capture(JUDGED)
    assert latest.record_id == "<urn:uuid:c-2>"
    assert latest.fetched_at.microsecond == 123456 and latest.fetched_at.second == 2
    assert latest.payload_capture.record_id == "<urn:uuid:c-1>"
    assert store.last_verdict(JUDGED).verdict["detected"] is True
    assert store.last_verdict(JUDGED).extracted is None
    assert store.latest_capture(HUB).discovery == {"key": "k", "links": [JUDGED, REVISITED]}
    assert store.latest_capture(HUB).refers_to is None


def test_an_engine_with_cursor_events_keeps_core(store: CatalogStore):
    """SQL logging or statement counting on the engine sees every lookup."""
    statements: list[str] = []
    event.listen(store.engine, "before_cursor_execute",
                 lambda *args: statements.append(args[2]))
    connection = store.session.connection()
    assert catalog.LATEST_CAPTURE_LOOKUP.first(connection, {"url": JUDGED}) is not None
    assert catalog.ANY_ARTICLE_LOOKUP.first(connection, {"url": NOBODY}) is None
    assert len(statements) == 2
