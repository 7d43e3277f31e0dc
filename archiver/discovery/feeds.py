"""RSS and Atom feeds, read with feedparser (every RSS dialect, Atom, RDF, broken XML)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import feedparser

from archiver.discovery.freshness import parse_date


@dataclass(frozen=True)
class FeedEntry:
    url: str
    date: datetime | None
    lastmod: datetime | None = None
    """The entry's ``updated`` date: a correction re-fetches the article."""


def _parsed_date(entry: feedparser.FeedParserDict, *keys: str) -> datetime | None:
    # Only keys the entry really has: feedparser answers a missing ``updated``
    # with ``published`` (and a deprecation warning), which is not a lastmod.
    present = set(entry.keys())
    for key in keys:
        parsed = entry.get(f"{key}_parsed") if f"{key}_parsed" in present else None
        if parsed:
            return datetime(*parsed[:6], tzinfo=UTC)
    return next(
        (d for key in keys if key in present and (d := parse_date(entry.get(key)))), None
    )


def _entry_date(entry: feedparser.FeedParserDict) -> datetime | None:
    return _parsed_date(entry, "published", "updated")


def feed_entries(body: bytes, url: str) -> list[FeedEntry] | None:
    """The entries' links and dates; None when the body is not a feed at all."""
    feed = feedparser.parse(body, response_headers={"content-location": url})
    if not feed.entries and not feed.get("version"):
        return None
    found: dict[str, FeedEntry] = {}
    for entry in feed.entries:
        link = (entry.get("link") or "").strip()
        if link.startswith(("http://", "https://")):
            found.setdefault(
                link, FeedEntry(link, _entry_date(entry), _parsed_date(entry, "updated"))
            )
    return list(found.values())
