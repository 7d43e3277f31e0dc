"""The catalog's lookups by URL within one session: each sees the rows this process
wrote for its URL (flushed first), and leaves other URLs' pending rows for the next
commit, where they go out together."""

from __future__ import annotations

from pathlib import Path

import pytest

from archiver.capture.link import PROFILE_NOT_MODIFIED, RecordLink, RecordLocation
from archiver.catalog.models import Article, Capture, Verdict
from archiver.catalog.store import CatalogStore
from archiver.layout import default_catalog_url
from archiver.paywall.verdict import PaywallVerdict

A, B = "http://127.0.0.1:1/news/a", "http://127.0.0.1:1/news/b"


def capture(store: CatalogStore, url: str, n: int, crawl: str,
            refers_to: RecordLink | None = None, digest: str | None = None) -> Capture:
    return store.add_capture(RecordLink(
        location=RecordLocation(f"{crawl}.warc.gz", 100 * n, 90, f"<urn:uuid:{crawl}-{n}>"),
        url=url, status=200, payload_digest=digest or f"sha1:{url}", crawl_id=crawl,
        fetched_at=f"2026-11-2{n}T08:00:00Z", etag=f'"{crawl}"',
        record_type="revisit" if refers_to else "response",
        refers_to=refers_to.original() if refers_to else None,
        profile=PROFILE_NOT_MODIFIED if refers_to else None,
    ))


@pytest.fixture
def store(tmp_path: Path):
    """A catalog holding one earlier run: a response and a verdict for A and for B."""
    earlier = CatalogStore(default_catalog_url(tmp_path))
    earlier.start_crawl("earlier", "site", {})
    for n, url in enumerate((A, B), start=1):
        row = capture(earlier, url, n, "earlier")
        earlier.record_article("earlier", row, url, None, f"old {url}", PaywallVerdict())
    earlier.close()
    store = CatalogStore(default_catalog_url(tmp_path))
    store.start_crawl("now", "site", {})
    yield store
    store.close()


def test_a_url_s_own_new_capture_is_its_latest(store: CatalogStore):
    earlier = store.latest_capture(A)
    assert earlier.record_id == "<urn:uuid:earlier-1>"
    capture(store, A, 5, "now")
    assert store.latest_capture(A).record_id == "<urn:uuid:now-5>"


def test_other_urls_pending_rows_wait_for_the_commit(store: CatalogStore):
    capture(store, B, 5, "now")
    pending = list(store.session.new)
    assert store.latest_capture(A).record_id == "<urn:uuid:earlier-1>"
    assert store.last_verdict(A).verdict == PaywallVerdict().to_dict()
    assert store.original_for_digest(f"sha1:{A}").record_id == "<urn:uuid:earlier-1>"
    assert list(store.session.new) == pending  # not flushed by A's lookups
    store.commit()
    assert not store.session.new
    assert store.latest_capture(B).record_id == "<urn:uuid:now-5>"


def test_a_payload_captured_in_this_run_is_found_by_its_digest(store: CatalogStore):
    capture(store, B, 5, "now", digest="sha1:new")
    assert store.original_for_digest("sha1:new").record_id == "<urn:uuid:now-5>"


def test_a_revisit_s_original_is_loaded_with_it(store: CatalogStore):
    original = store.latest_capture(A)
    link = RecordLink(location=RecordLocation("earlier.warc.gz", 100, 90, original.record_id),
                      url=A, status=200, payload_digest=f"sha1:{A}",
                      fetched_at="2026-11-21T08:00:00Z", crawl_id="earlier")
    capture(store, A, 5, "now", refers_to=link)
    store.commit()
    fresh = CatalogStore(store.url)
    latest = fresh.latest_capture(A)
    assert latest.refers_to is not None  # a revisit, read with its original
    assert latest.payload_capture.record_id == original.record_id
    assert fresh.stored_capture(original.record_id) is latest.payload_capture  # no query
    loaded = fresh.capture_by_record_id(original.record_id)  # to be written: from the ORM
    assert isinstance(loaded, Capture) and loaded.id == latest.payload_capture.id
    assert fresh.stored_capture(original.record_id) is loaded
    fresh.close()


def test_articles_seen_again_are_updated_together_at_the_commit(store: CatalogStore):
    for n, url in enumerate((A, B), start=5):
        store.last_verdict(url)  # as the spider asks before reusing a stored analysis
        row = capture(store, url, n, "now")
        store.record_article("now", row, url, f"{url}/final", f"seen {n}", PaywallVerdict())
    fresh = CatalogStore(store.url, migrate=False)
    assert {a.title for a in fresh.session.query(Article)} == {f"old {A}", f"old {B}"}
    store.commit()
    fresh.session.expire_all()
    seen = {a.url: (a.final_url, a.title, a.last_seen.day) for a in fresh.session.query(Article)}
    assert seen == {A: (f"{A}/final", "seen 5", 25), B: (f"{B}/final", "seen 6", 26)}
    fresh.close()


def test_recording_an_article_twice_keeps_one_article_and_both_verdicts(store: CatalogStore):
    first = store.last_verdict(A)
    for n in (5, 6):
        row = capture(store, A, n, "now")
        store.record_article("now", row, A, None, f"title {n}", PaywallVerdict(detected=n == 6))
        assert store.last_verdict(A).capture_id == row.id
    store.commit()
    articles = store.session.query(Article).filter_by(url=A).all()
    assert [article.title for article in articles] == ["title 6"]
    history = store.verdict_history(A)
    assert [v.detected for v in history] == [False, False, True]
    assert history[0].id == first.id
    assert store.session.query(Verdict).count() == 4


def test_lookups_that_find_nothing_stored_still_see_this_run_s_and_others_rows(
        store: CatalogStore):
    """The quick "nothing stored" answer (a Core query ahead of the ORM's) is never given
    for a key this process wrote under, flushed or not, nor for rows another writer
    committed meanwhile; a key nobody wrote under finds nothing."""
    new = "http://127.0.0.1:1/news/new"
    assert store.latest_capture(new) is None
    assert store.article(new) is None
    assert store.original_for_digest("sha1:new") is None
    row = capture(store, new, 5, "now", digest="sha1:new")
    store.record_article("now", row, new, None, "new", PaywallVerdict())
    assert row in store.session.new  # pending: only the ORM's autoflush can show it
    assert store.latest_capture(new).record_id == row.record_id
    assert store.original_for_digest("sha1:new").record_id == row.record_id
    assert store.article(new).title == "new"
    store.commit()
    other = CatalogStore(store.url)  # another writer (a worker of a scaled-out crawl)
    other.start_crawl("other", "site", {})
    late = "http://127.0.0.1:1/news/late"
    other.record_article("other", capture(other, late, 6, "other", digest="sha1:late"),
                         late, None, "late", PaywallVerdict())
    other.close()
    assert store.latest_capture(late).record_id == "<urn:uuid:other-6>"
    assert store.original_for_digest("sha1:late").record_id == "<urn:uuid:other-6>"
    assert store.article(late).title == "late"
    assert store.latest_capture("http://127.0.0.1:1/news/nobody") is None


def test_a_url_s_latest_verdict_comes_with_its_latest_capture(store: CatalogStore):
    """The recrawl's lookup of a page's capture brings its latest verdict too: the reuse
    of the stored analysis then queries nothing, and finds what a query of its own does;
    a verdict this process recorded is never replaced by the stored one."""
    statements: list[str] = []  # as SQLite runs them, however they are sent
    store.session.connection().connection.dbapi_connection.set_trace_callback(statements.append)
    assert store.latest_capture(A).record_id == "<urn:uuid:earlier-1>"
    assert store.latest_capture("http://127.0.0.1:1/news/nobody") is None
    asked = len(statements)
    assert asked >= 2  # the two lookups, seen
    found = store.last_verdict(A)
    assert len(statements) == asked  # no query
    fresh = CatalogStore(store.url, migrate=False)
    assert found == fresh.last_verdict(A)
    assert found.payload_digest == f"sha1:{A}" and found.verdict == PaywallVerdict().to_dict()
    fresh.close()
    row = capture(store, A, 5, "now", digest="sha1:changed")
    store.record_article("now", row, A, None, "new", PaywallVerdict(detected=True))
    assert store.latest_capture(A).record_id == "<urn:uuid:now-5>"
    latest = store.last_verdict(A)
    assert latest.capture_id == row.id and latest.verdict["detected"] is True


def test_verdicts_wait_for_the_flush_and_go_out_with_their_captures_and_articles(
        store: CatalogStore):
    """A recorded verdict is held until its capture and article have ids, then inserted
    with them: a reader of this session sees it at once, another process only after the
    commit (so never a verdict without its capture), with every value it was recorded with."""
    new = "http://127.0.0.1:1/news/new"
    row = capture(store, new, 5, "now")
    store.record_article("now", row, new, None, "new", PaywallVerdict(detected=True, kind="hard"),
                         "v1", {"text": "a few words", "word_count": 3})
    store.last_verdict(A)  # A's verdict, recorded earlier, found
    store.record_article("now", capture(store, A, 6, "now"), A, None, "again", PaywallVerdict(),
                         "v1", None)
    other = CatalogStore(store.url, migrate=False)
    assert other.verdict_history(new) == [] and other.latest_capture(new) is None
    assert [v.detected for v in store.verdict_history(new)] == [True]  # this session: at once
    store.commit()
    (verdict,) = other.verdict_history(new)
    assert (verdict.capture.record_id, verdict.article.url, verdict.article.title) == (
        row.record_id, new, "new")
    assert (verdict.kind, verdict.detector_version, verdict.not_modified) == ("hard", "v1", False)
    assert verdict.extracted == {"text": "a few words", "word_count": 3}
    assert verdict.verdict == PaywallVerdict(detected=True, kind="hard").to_dict()
    assert [(v.capture.record_id, v.extracted) for v in other.verdict_history(A)] == [
        ("<urn:uuid:earlier-1>", None), ("<urn:uuid:now-6>", None)]
    other.close()
