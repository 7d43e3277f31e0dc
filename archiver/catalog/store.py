"""The catalog database: opened (and migrated) once per process, queried by the crawl.

Times are stored as naive UTC datetimes (SQLite has no time zones); WARC dates
are converted with warcio's own functions, so a ``WARC-Refers-To-Date`` read
back from the catalog is the referred record's ``WARC-Date`` exactly.
"""

from __future__ import annotations

import os
import socket
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Engine,
    Select,
    bindparam,
    create_engine,
    delete,
    event,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.util import identity_key
from warcio.timeutils import datetime_to_iso_date, iso_date_to_datetime

from archiver.capture.link import Original, RecordLink
from archiver.catalog.lookup import Lookup
from archiver.catalog.models import Article, Capture, Crawl, Verdict, WarcFile
from archiver.paywall.verdict import PaywallVerdict

MIGRATIONS = Path(__file__).parent / "migrations"
MIGRATION_FILES = "[0-9][0-9][0-9][0-9]_*.py"
"""Migrations are ``versions/NNNN_what.py`` with revision ``"NNNN"`` (tests check it)."""
MIGRATION_LOCK = 0x6E657773  # PostgreSQL advisory lock key of catalog migrations ("news")
RECENT_CAPTURES = 4096  # captures kept by record id (CatalogStore._recent)
RECENT_VERDICTS = 256  # latest verdicts kept by URL (CatalogStore._latest_verdicts)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def warc_datetime(date: str) -> datetime:
    return iso_date_to_datetime(date)


def warc_date(when: datetime) -> str:
    return datetime_to_iso_date(when, use_micros=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL lets ``archiver runs`` read while a crawl writes; foreign keys are checked."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def head_revision() -> str:
    """The newest migration's revision, known without alembic: importing it and
    reading its scripts cost about 0.25 s of CPU at every start, a tenth of a
    short recrawl's, to learn that nothing is to be done."""
    return max(path.name[:4] for path in (MIGRATIONS / "versions").glob(MIGRATION_FILES))


def stored_revision(engine: Engine) -> str | None:
    """The catalog's schema revision, as alembic records it (``None``: a new catalog)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine) -> None:
    """Bring the catalog's schema to the newest migration (alembic ``upgrade head``),
    unless it is there already.

    Workers sharing one PostgreSQL catalog start at once: a transaction-level
    advisory lock lets one of them migrate while the others wait, then find the
    schema at head (without it, both create ``alembic_version`` and one fails).
    """
    if stored_revision(engine) == head_revision():
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


class CatalogOutdated(RuntimeError):
    """A catalog whose schema is older (or newer) than this version's migrations."""


def check_current(engine: Engine, url: str) -> None:
    """Refuse a catalog whose schema revision is not this code's newest migration."""
    current, head = stored_revision(engine), head_revision()
    if current != head:
        raise CatalogOutdated(
            f"{url}: catalog schema is at revision {current or 'none'}, this version needs "
            f"{head}; run a crawl with this version to migrate it"
        )


# The lookups made for every page, built once. Building a statement and its cache
# key anew for each lookup was two thirds of its CPU (0.28 -> 0.11 ms a lookup by
# URL, 0.31 -> 0.11 ms a latest verdict, on a catalog of 1,500 articles).
CAPTURE_BY_RECORD_ID = select(Capture).where(Capture.record_id == bindparam("record_id"))
ORIGINAL_FOR_DIGEST = (
    select(Capture)
    .where(Capture.payload_digest == bindparam("digest"), Capture.record_type == "response")
    .order_by(Capture.id)
    .limit(1)
)
STORED_CAPTURE_COLUMNS = (
    "id", "record_id", "url", "fetched_at", "status", "warc_filename", "warc_offset",
    "warc_length", "payload_digest", "etag", "last_modified", "discovery",
)
"""The columns of a :class:`StoredCapture`, in its fields' order."""
_LATEST, _PAYLOAD = Capture.__table__.alias("latest"), Capture.__table__.alias("payload")
_JUDGED, _JUDGED_CAPTURE = Verdict.__table__.alias("judged"), Capture.__table__.alias("judged_on")
_NEWEST_VERDICT_ID = (
    select(Verdict.id).join(Verdict.article).where(Article.url == bindparam("url"))
    .order_by(Verdict.observed_at.desc(), Verdict.id.desc()).limit(1)
    .correlate(None).scalar_subquery()
)
# A URL's newest capture and the one holding its payload, read in Core: the recrawl asks
# for it on every page it makes conditional, and the ORM's load of the two cost 290 us
# where this costs 55 (SQLite, 600-article catalog, load 7). The URL's latest verdict
# (:data:`LATEST_VERDICT`'s columns) comes in the same query, for the reuse of an
# unchanged article's analysis when its 304 comes: a query of its own cost 150-300 us
# of the recrawl's CPU an article in the crawl (load 4-5).
LATEST_CAPTURE = (
    select(*(_LATEST.c[name] for name in STORED_CAPTURE_COLUMNS),
           *(_PAYLOAD.c[name] for name in STORED_CAPTURE_COLUMNS),
           _JUDGED.c.id, _JUDGED.c.article_id, _JUDGED.c.capture_id,
           _JUDGED_CAPTURE.c.payload_digest, _JUDGED.c.detector_version, _JUDGED.c.verdict,
           _JUDGED.c.article)
    .select_from(
        _LATEST.outerjoin(_PAYLOAD, _LATEST.c.refers_to_id == _PAYLOAD.c.id)
        .outerjoin(_JUDGED, _JUDGED.c.id == _NEWEST_VERDICT_ID)
        .outerjoin(_JUDGED_CAPTURE, _JUDGED_CAPTURE.c.id == _JUDGED.c.capture_id))
    .where(_LATEST.c.url == bindparam("url"))
    .order_by(_LATEST.c.fetched_at.desc(), _LATEST.c.id.desc()).limit(1)
)
ARTICLE_BY_URL = select(Article).where(Article.url == bindparam("url"))
# Whether any row answers a lookup at all, asked in SQLAlchemy Core before the ORM
# query: most of a first run's lookups find nothing (a payload never seen, an article
# not yet recorded), and the Core query costs 21 us where the ORM's costs 95 (SQLite,
# 600-article catalog); a lookup that finds its row pays both.
ANY_ORIGINAL_FOR_DIGEST = select(Capture.id).where(
    Capture.payload_digest == bindparam("digest"), Capture.record_type == "response").limit(1)
ANY_ARTICLE_OF_URL = select(Article.id).where(Article.url == bindparam("url"))
# An article's latest verdict, read in Core: the spider asks for it on every unchanged
# article, and the ORM's load of a verdict with its article cost 320 us where this
# costs 70 (SQLite, 600-article catalog, load 7); nothing is written through it.
LATEST_VERDICT = (
    select(Verdict.id, Verdict.article_id, Verdict.capture_id, Capture.payload_digest,
           Verdict.detector_version, Verdict.verdict, Verdict.extracted)
    .join(Verdict.article).join(Verdict.capture)
    .where(Article.url == bindparam("url"))
    .order_by(Verdict.observed_at.desc(), Verdict.id.desc()).limit(1)
)
VERDICT_INSERT = insert(Verdict.__table__)
ARTICLE_SEEN = (
    update(Article.__table__).where(Article.id == bindparam("article_id"))
    .values(final_url=bindparam("final_url"), title=bindparam("title"),
            last_seen=bindparam("last_seen"))
)
# The lookups above that a crawl makes for its pages, run on SQLite's own cursor
# (:mod:`archiver.catalog.lookup`).
LATEST_CAPTURE_LOOKUP, LATEST_VERDICT_LOOKUP = Lookup(LATEST_CAPTURE), Lookup(LATEST_VERDICT)
ANY_ORIGINAL_LOOKUP = Lookup(ANY_ORIGINAL_FOR_DIGEST)
ANY_ARTICLE_LOOKUP = Lookup(ANY_ARTICLE_OF_URL)


@dataclass(frozen=True)
class StoredCapture:
    """A capture as :meth:`CatalogStore.latest_capture` reads it, for reading only; what
    writes a capture row (its discovery, a revisit referring to it) loads it through the
    ORM (:meth:`CatalogStore.capture_by_record_id`)."""

    id: int
    record_id: str
    url: str
    fetched_at: datetime
    status: int
    warc_filename: str
    warc_offset: int
    warc_length: int
    payload_digest: str
    etag: str | None
    last_modified: str | None
    discovery: dict[str, Any] | None
    refers_to: StoredCapture | None = None

    @property
    def payload_capture(self) -> StoredCapture:
        """The record that holds this capture's payload (itself unless a revisit)."""
        return self.refers_to or self


CaptureRow = Capture | StoredCapture
"""A capture as the catalog's readers get it: loaded (the ORM's) or only read."""


@dataclass(frozen=True)
class StoredVerdict:
    """An article's verdict as :meth:`CatalogStore.last_verdict` reads it."""

    id: int
    article_id: int
    capture_id: int
    payload_digest: str
    """The payload digest of the capture the verdict was made on."""
    detector_version: str | None
    verdict: dict[str, Any]
    extracted: dict[str, Any] | None


def original_of(row: CaptureRow) -> Original:
    payload = row.payload_capture
    return Original(
        record_id=payload.record_id,
        url=payload.url,
        date=warc_date(payload.fetched_at),
        filename=payload.warc_filename,
        offset=payload.warc_offset,
        payload_digest=payload.payload_digest,
    )


class CatalogStore:
    """Reads and writes the catalog. Runs and recovery are committed at once;
    captures and verdicts when :meth:`commit` or :meth:`close` is called."""

    def __init__(self, url: str, migrate: bool = True) -> None:
        """``migrate=False`` for readers (``archiver runs``, ``report``): on a shared
        PostgreSQL catalog a migration is a schema change, never a reader's side effect;
        a catalog behind the code is refused with :class:`CatalogOutdated`."""
        self.url = url
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.engine = create_engine(url)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        if migrate:
            upgrade(self.engine)
        else:
            check_current(self.engine, url)
        self.session = Session(self.engine, expire_on_commit=False)
        self._recent: OrderedDict[str, CaptureRow] = OrderedDict()
        """The latest captures by record id: the capture middleware, the recrawl, the
        spider and two item pipelines each ask for a page's capture within moments of
        one another, and answered here they cost no query. Bounded, so a long crawl
        holds no more rows than :data:`RECENT_CAPTURES`."""
        self._latest_verdicts: OrderedDict[str, StoredVerdict | None] = OrderedDict()
        """Each URL's latest verdict, as :meth:`last_verdict` (or :meth:`latest_capture`)
        found it, until one is recorded for it: the spider asks before reusing a stored
        analysis, and the verdict record pipeline again for the same page."""
        self._captured_urls: set[str] = set()
        """URLs this process added captures of; :meth:`_unflushed` says why."""
        self._recorded_urls: set[str] = set()
        """URLs this process recorded articles (and verdicts) of."""
        self._captured_digests: set[str] = set()
        """Payload digests of the captures this process added."""
        self._seen_articles: dict[int, dict[str, Any]] = {}
        """Updates of articles seen again (:data:`ARTICLE_SEEN`) by article id, written
        together at the next commit: one statement each cost 1.6-2.1% of an unchanged
        recrawl's CPU."""
        self._pending_verdicts: list[tuple[dict[str, Any], Capture, Article | int]] = []
        """Verdicts recorded since the last flush, each with its capture and its article
        (loaded, or its id), inserted together once those have ids (:meth:`_flush`):
        an ORM object each, built, tracked and flushed, cost 0.05 ms of a recrawled page's
        0.26 ms of catalog CPU."""

    def close(self) -> None:
        self._commit()
        self.session.close()
        self.engine.dispose()

    def commit(self) -> None:
        """Commit pending capture and verdict rows (the catalog extension does it each second).

        A commit per capture would cost a sixth of a crawl's throughput. Queries
        in this session see uncommitted rows, so dedup and lookups are not
        affected; a kill loses at most the last second's rows, never leaves a
        row without its record, and the next run fetches those pages again.
        """
        self._commit()

    def _commit(self) -> None:
        """Commit the session, with the pending verdicts and :data:`ARTICLE_SEEN` updates,
        each in one statement run for them all."""
        self._flush()
        if self._seen_articles:
            self.session.connection().execute(ARTICLE_SEEN, list(self._seen_articles.values()))
            self._seen_articles = {}
        self.session.commit()

    def _flush(self) -> None:
        """Flush the session's pending rows, then insert the pending verdicts, which refer
        to them (in the session's transaction: committed with them, or not at all)."""
        self.session.flush()
        if not self._pending_verdicts:
            return
        rows = [{**values, "capture_id": capture.id,
                 "article_id": article if isinstance(article, int) else article.id}
                for values, capture, article in self._pending_verdicts]
        self._pending_verdicts = []
        self.session.connection().execute(VERDICT_INSERT, rows)

    def record_warc_file(self, filename: str, location: str, size: int, sha256: str) -> None:
        """Where a WARC file now lives (committed at once: its local copy goes next)."""
        self.session.merge(WarcFile(filename=filename, location=location, size=size,
                                    sha256=sha256, stored_at=utcnow()))
        self._commit()

    def warc_location(self, filename: str) -> str | None:
        """Where a WARC file went when it left its crawl machine (``None``: it did not)."""
        row = self.session.get(WarcFile, filename)
        return row.location if row is not None else None

    # crawls

    def start_crawl(self, crawl_id: str, spider: str, settings: Mapping[str, Any]) -> None:
        """Record a run starting, or a paused run resuming under the same id."""
        crawl = self.session.get(Crawl, crawl_id)
        if crawl is None:
            crawl = Crawl(id=crawl_id, spider=spider, started_at=utcnow(), settings={})
            self.session.add(crawl)
        crawl.status, crawl.finished_at, crawl.finish_reason = "running", None, None
        crawl.hostname, crawl.pid = socket.gethostname(), os.getpid()
        crawl.settings = dict(settings)
        self._commit()

    def finish_crawl(
        self, crawl_id: str, status: str, finish_reason: str, exit_code: int,
        stats: Mapping[str, Any], summary: Mapping[str, Any],
    ) -> None:
        crawl = self.session.get(Crawl, crawl_id)
        if crawl is None:
            return
        crawl.finished_at, crawl.status = utcnow(), status
        crawl.finish_reason, crawl.exit_code = finish_reason, exit_code
        crawl.stats, crawl.summary = dict(stats), dict(summary)
        self._commit()

    def mark_interrupted(self) -> list[str]:
        """Runs still marked running (their process is gone: we hold the lock)."""
        ids = list(self.session.scalars(select(Crawl.id).where(Crawl.status == "running")))
        if ids:
            self.session.execute(
                update(Crawl).where(Crawl.id.in_(ids)).values(
                    status="interrupted", finished_at=utcnow(), finish_reason="killed",
                    exit_code=None,
                )
            )
            self._commit()
        return ids

    def crawls(self, limit: int | None = None) -> list[Crawl]:
        query = select(Crawl).order_by(Crawl.started_at.desc()).limit(limit)
        return list(self.session.scalars(query))

    # captures

    def add_capture(self, link: RecordLink) -> Capture:
        """Catalog a capture whose records are already flushed to disk."""
        original: dict[str, Any] = {}
        if link.refers_to is not None:
            known = self._recent.get(link.refers_to.record_id)
            if isinstance(known, StoredCapture):
                original["refers_to_id"] = known.id  # read, not loaded: referred to by id
            else:
                original["refers_to"] = self.capture_by_record_id(link.refers_to.record_id)
        row = Capture(
            crawl_id=link.crawl_id,
            url=link.url,
            fetched_at=warc_datetime(link.fetched_at),
            status=link.status,
            record_type=link.record_type,
            revisit_profile=link.profile,
            warc_filename=link.location.filename,
            warc_offset=link.location.offset,
            warc_length=link.location.length,
            record_id=link.location.record_id,
            payload_digest=link.payload_digest,
            etag=link.etag,
            last_modified=link.last_modified,
            **original,
        )
        self.session.add(row)
        self._captured_urls.add(row.url)
        self._captured_digests.add(row.payload_digest)
        self._remember(row)
        return row

    def _remember(self, row: CaptureRow) -> None:
        self._recent[row.record_id] = row
        self._recent.move_to_end(row.record_id)
        if len(self._recent) > RECENT_CAPTURES:
            self._recent.popitem(last=False)

    def capture_by_record_id(self, record_id: str) -> Capture | None:
        """The capture, loaded (to be written, or referred to by a new row)."""
        row = self._recent.get(record_id)
        if not isinstance(row, Capture):
            row = self.session.scalar(CAPTURE_BY_RECORD_ID, {"record_id": record_id})
        if row is not None:
            self._remember(row)
        return row

    def stored_capture(self, record_id: str) -> CaptureRow | None:
        """The capture, to be read: as :meth:`latest_capture` found it, else loaded."""
        row = self._recent.get(record_id)
        if row is None:
            return self.capture_by_record_id(record_id)
        self._recent.move_to_end(record_id)
        return row

    def original_for_digest(self, payload_digest: str) -> Original | None:
        if self._none_stored(ANY_ORIGINAL_LOOKUP, {"digest": payload_digest},
                             self._captured_digests):
            return None
        with self._unflushed(payload_digest, self._captured_digests):
            row = self.session.scalar(ORIGINAL_FOR_DIGEST, {"digest": payload_digest})
        return original_of(row) if row is not None else None

    def _none_stored(self, exists: Lookup, params: dict[str, str], written: set[str]) -> bool:
        """Whether the stored rows hold none that the lookup by ``params`` (one key, see
        :meth:`_unflushed`) would find, asked without the ORM (``exists``: a query of ids); never
        when this process wrote rows under that key, which may still be unflushed."""
        (key,) = params.values()
        if key in written:
            return False
        return exists.first(self.session.connection(), params) is None

    def _stored_row(self, statement: Lookup | Select, params: dict[str, str],
                    written: set[str]) -> Any:
        """The first row of a query by one key (see :meth:`_unflushed`), or ``None``: a
        :class:`Lookup`, or a Core statement made for this call. Neither sees pending rows,
        so the session flushes first when this process wrote rows under that key."""
        (key,) = params.values()
        if key in written:
            self._flush()
        if isinstance(statement, Lookup):
            return statement.first(self.session.connection(), params)
        return self.session.connection().execute(statement, params).first()

    def _unflushed(self, key: str, written: set[str]) -> AbstractContextManager[Any]:
        """How to run a query that reads only the rows of one kind with one ``key``
        (a URL, a payload digest).

        Before each query the session flushes every pending row (autoflush), so
        that the query sees them; a recrawl's lookups by URL then flushed a row or
        two each, a fifth of its CPU. Rows pending under other keys, or of another
        kind, cannot change what such a query returns, so it skips the flush
        unless this process wrote rows of that kind under ``key`` (``written``:
        :attr:`_captured_urls`, :attr:`_recorded_urls` or :attr:`_captured_digests`);
        pending rows then go out together at the next commit or flushing query."""
        return nullcontext() if key in written else self.session.no_autoflush

    def latest_capture(self, url: str) -> StoredCapture | None:
        """The URL's newest capture, with the one holding its payload (a revisit's
        original, read in the same query), both kept for :meth:`stored_capture` and
        :meth:`add_capture`: the capture middleware refers to the original when the 304
        comes, and the spider reads its stored discovery."""
        found = self._stored_row(LATEST_CAPTURE_LOOKUP, {"url": url}, self._captured_urls)
        if found is None:
            return None
        width = len(STORED_CAPTURE_COLUMNS)
        payload = StoredCapture(*found[width:2 * width]) if found[width] is not None else None
        row = StoredCapture(*found[:width], refers_to=payload)
        for stored in (row.payload_capture, row):
            if not isinstance(self._recent.get(stored.record_id), Capture):
                self._remember(stored)  # a loaded row, maybe changed since, is kept
        if url not in self._recorded_urls and url not in self._latest_verdicts:
            # What last_verdict(url) would find now: this process recorded no verdict
            # of the URL (which could be unflushed), and :meth:`record_article` drops it.
            verdict = found[2 * width:]
            self._keep_verdict(url, StoredVerdict(*verdict) if verdict[0] is not None else None)
        return row

    def captures(self, crawl_id: str | None = None) -> list[Capture]:
        query = select(Capture).order_by(Capture.id)
        if crawl_id is not None:
            query = query.where(Capture.crawl_id == crawl_id)
        return list(self.session.scalars(query))

    def drop_captures_beyond(self, filename: str, size: int) -> int:
        """Forget captures (and their verdicts) whose bytes end past ``size``."""
        self._flush()
        ids = list(self.session.scalars(
            select(Capture.id).where(
                Capture.warc_filename == filename,
                Capture.warc_offset + Capture.warc_length > size,
            )
        ))
        if ids:
            self.session.execute(delete(Verdict).where(Verdict.capture_id.in_(ids)))
            self.session.execute(
                update(Capture).where(Capture.refers_to_id.in_(ids)).values(refers_to_id=None)
            )
            self.session.execute(delete(Capture).where(Capture.id.in_(ids)))
            self._recent.clear()
            self._latest_verdicts.clear()
            self._commit()
        return len(ids)

    # articles and verdicts

    def article(self, url: str) -> Article | None:
        if self._none_stored(ANY_ARTICLE_LOOKUP, {"url": url}, self._recorded_urls):
            return None
        with self._unflushed(url, self._recorded_urls):
            return self.session.scalar(ARTICLE_BY_URL, {"url": url})

    def record_article(
        self, crawl_id: str, capture: Capture, url: str, final_url: str | None,
        title: str | None, verdict: PaywallVerdict | None,
        detector_version: str | None = None, extracted: Mapping[str, Any] | None = None,
    ) -> None:
        """Upsert the article and append its verdict to the history, with the
        detector version and extracted article it was made with (for reuse)."""
        latest = self._latest_verdicts.pop(url, None)
        article: Article | None = None
        if latest is not None and (url in self._recorded_urls or identity_key(
                Article, latest.article_id) in self.session.identity_map):
            latest = None  # the session holds the article: update that object
        if latest is not None:
            # Found by the lookup, not loaded: updated by id at the next commit.
            self._seen_articles[latest.article_id] = {
                "article_id": latest.article_id, "final_url": final_url, "title": title,
                "last_seen": capture.fetched_at}
        else:
            article = self.article(url)
            if article is None:
                article = Article(url=url, first_seen=capture.fetched_at)
                self.session.add(article)
            else:  # the session writes all three values now: a pending update is stale
                self._seen_articles.pop(article.id, None)
            article.final_url, article.title = final_url, title
            article.last_seen = capture.fetched_at
        self._recorded_urls.add(url)
        if verdict is not None:
            self._pending_verdicts.append(({
                "crawl_id": crawl_id,
                "observed_at": capture.fetched_at,
                "detected": verdict.detected,
                "kind": verdict.kind,
                "truncated": verdict.truncated,
                "declared": verdict.declared,
                "confidence": verdict.confidence,
                "not_modified": capture.not_modified,
                "verdict": verdict.to_dict(),
                "detector_version": detector_version,
                "article": dict(extracted) if extracted is not None else None,
            }, capture, article if article is not None else latest.article_id))

    def last_verdict(self, url: str, excluding: Capture | None = None) -> StoredVerdict | None:
        """The article's latest verdict, leaving out the one made on ``excluding``."""
        if url in self._latest_verdicts:
            latest = self._latest_verdicts[url]
            self._latest_verdicts.move_to_end(url)
        else:
            latest = self._latest_verdict(url)
            self._keep_verdict(url, latest)
        if latest is None or excluding is None or latest.capture_id != excluding.id:
            return latest
        return self._latest_verdict(url, Verdict.capture_id != excluding.id)

    def _keep_verdict(self, url: str, latest: StoredVerdict | None) -> None:
        self._latest_verdicts[url] = latest
        if len(self._latest_verdicts) > RECENT_VERDICTS:
            self._latest_verdicts.popitem(last=False)

    def _latest_verdict(self, url: str, *where: Any) -> StoredVerdict | None:
        """The newest verdict (:meth:`record_article` then updates its article by id,
        without loading it)."""
        statement = LATEST_VERDICT.where(*where) if where else LATEST_VERDICT_LOOKUP
        row = self._stored_row(statement, {"url": url}, self._recorded_urls)
        return StoredVerdict(*row) if row is not None else None

    def verdicts(self) -> list[Verdict]:
        """Every verdict observed, with its article and capture loaded."""
        self._flush()
        return list(self.session.scalars(
            select(Verdict).options(joinedload(Verdict.article), joinedload(Verdict.capture))
            .order_by(Verdict.observed_at, Verdict.id)
        ))

    def verdict_history(self, url: str) -> list[Verdict]:
        self._flush()
        return list(self.session.scalars(
            select(Verdict).join(Article).where(Article.url == url)
            .order_by(Verdict.observed_at, Verdict.id)
        ))

    def referenced_files(self, crawl_ids: Iterable[str]) -> set[str]:
        return set(self.session.scalars(
            select(Capture.warc_filename).where(Capture.crawl_id.in_(list(crawl_ids))).distinct()
        ))
