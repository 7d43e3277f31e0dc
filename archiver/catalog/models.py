"""Catalog tables (SQLAlchemy 2 declarative models).

The schema is changed only through the migrations in ``migrations/versions``;
these models describe the newest revision.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from archiver.capture.link import PROFILE_NOT_MODIFIED


class Base(DeclarativeBase):
    pass


class Crawl(Base):
    """One run: when, how it was configured, how it ended and what it did."""

    __tablename__ = "crawls"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    spider: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20))
    finish_reason: Mapped[str | None] = mapped_column(String(100))
    exit_code: Mapped[int | None]
    hostname: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int]
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    stats: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Capture(Base):
    """One response or revisit record, located in its WARC file."""

    __tablename__ = "captures"
    __table_args__ = (
        Index("ix_captures_url_fetched", "url", "fetched_at"),
        Index("ix_captures_payload_digest", "payload_digest"),
        Index("ix_captures_warc_filename", "warc_filename"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    crawl_id: Mapped[str] = mapped_column(ForeignKey("crawls.id"))
    url: Mapped[str] = mapped_column(Text)
    fetched_at: Mapped[datetime]
    status: Mapped[int]
    record_type: Mapped[str] = mapped_column(String(20))
    revisit_profile: Mapped[str | None] = mapped_column(String(100))
    warc_filename: Mapped[str] = mapped_column(String(255))
    warc_offset: Mapped[int] = mapped_column(BigInteger)
    warc_length: Mapped[int] = mapped_column(BigInteger)
    record_id: Mapped[str] = mapped_column(String(100), unique=True)
    payload_digest: Mapped[str] = mapped_column(String(100))
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(String(100))
    refers_to_id: Mapped[int | None] = mapped_column(ForeignKey("captures.id"))
    discovery: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """What link discovery found in this payload, reused when a revisit brings it back
    unchanged (:mod:`archiver.reuse`); only on records that hold a payload."""

    refers_to: Mapped[Capture | None] = relationship(remote_side=[id])

    @property
    def not_modified(self) -> bool:
        """A revisit written for a 304 to our conditional request."""
        return self.revisit_profile == PROFILE_NOT_MODIFIED

    @property
    def payload_capture(self) -> Capture:
        """The record that holds this capture's payload (itself unless a revisit)."""
        return self.refers_to or self


class WarcFile(Base):
    """A WARC file moved off the crawl machine: where it lives now (``captures.warc_filename``
    joins here), and the size and SHA-256 verified before the local copy was removed."""

    __tablename__ = "warc_files"

    filename: Mapped[str] = mapped_column(String(255), primary_key=True)
    location: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    stored_at: Mapped[datetime]


class Article(Base):
    """A URL that was emitted as an article at least once."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    final_url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]

    verdicts: Mapped[list[Verdict]] = relationship(
        back_populates="article", order_by="Verdict.observed_at"
    )


class Verdict(Base):
    """The paywall verdict of one capture of an article: its history over runs."""

    __tablename__ = "verdicts"
    __table_args__ = (Index("ix_verdicts_article_observed", "article_id", "observed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"))
    crawl_id: Mapped[str] = mapped_column(ForeignKey("crawls.id"))
    capture_id: Mapped[int] = mapped_column(ForeignKey("captures.id"))
    observed_at: Mapped[datetime]
    detected: Mapped[bool]
    kind: Mapped[str | None] = mapped_column(String(20))
    truncated: Mapped[bool]
    declared: Mapped[str | None] = mapped_column(String(20))
    confidence: Mapped[float | None] = mapped_column(Float)
    not_modified: Mapped[bool]
    verdict: Mapped[dict[str, Any]] = mapped_column(JSON)
    detector_version: Mapped[str | None] = mapped_column(String(100))
    """Who judged: the package version and the rule files' hash (``archiver.reuse``)."""
    extracted: Mapped[dict[str, Any] | None] = mapped_column("article", JSON)
    """The extracted article the verdict was made on, reused with it on an unchanged page."""

    article: Mapped[Article] = relationship(back_populates="verdicts")
    capture: Mapped[Capture] = relationship()
