"""``--since 2d``: skipping sitemap and feed entries older than a cut-off.

Sitemaps of large news sites list years of articles; a daily crawl wants the
last day or two. The dates come from ``<lastmod>``, ``<news:publication_date>``,
feed ``published``/``updated`` and dated URL paths; an entry without a date is
always kept, since dropping it could lose a new article.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from archiver.durations import EXAMPLES, parse_duration


def parse_since(value: str, now: datetime | None = None) -> datetime:
    """``2d``, ``12h``, ``30m``, ``1w`` before ``now``, or an ISO date/time (UTC if naive)."""
    now = now or datetime.now(UTC)
    duration = parse_duration(value)
    if duration is not None:
        return now - duration.timedelta
    parsed = parse_date(value, end_of_day=False)
    if parsed is None:
        raise ValueError(
            f"--since {value!r}: expected a duration ({EXAMPLES}) or a date "
            "(2026-11-20 or 2026-11-20T06:00:00Z)"
        )
    return parsed


def parse_date(value: str | None, end_of_day: bool = True) -> datetime | None:
    """A W3C/ISO date or date-time as an aware datetime (UTC when naive), else None.

    A bare date means the whole day: with ``end_of_day`` it is read as its last
    second, so an article published that day is never judged older than it is.
    """
    text = (value or "").strip()
    if not text:
        return None
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime.combine(day, time.max if end_of_day else time.min, UTC)
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Freshness:
    """The cut-off of a crawl; ``None`` keeps everything."""

    since: datetime | None = None

    def keeps(self, when: datetime | date | None) -> bool:
        if self.since is None or when is None:
            return True
        if not isinstance(when, datetime):
            when = datetime.combine(when, time.max, UTC)
        return when >= self.since
