"""Judging a config's facts against what its site serves today: robots.txt, feeds, sitemaps.

Configs are generated from facts that were right when someone last looked;
sites move feeds, drop sitemaps and rename hosts. ``archiver sites probe``
fetches each fact once (``spiders/probe.py``, an ordinary archived crawl) and
this module turns each response, or failure, into one :class:`ProbeResult`:
what works (status, entries found, newest date) and, for a stale fact, why.
A fact is stale when it answers with an error, is not what it claims to be
(a feed that is not RSS/Atom, a sitemap that is not XML), lists nothing, has
nothing newer than the cut-off, or has moved (a redirect: the config should
name the new URL).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal
from urllib.parse import urljoin

from protego import Protego
from scrapy.http import Response
from scrapy.utils.sitemap import sitemap_urls_from_robots

from archiver.discovery.feeds import feed_entries
from archiver.discovery.sitemaps import is_sitemap, parse_sitemap, sitemap_body

Kind = Literal["robots", "feed", "sitemap"]


@dataclass
class ProbeResult:
    site: str
    kind: Kind
    url: str
    status: int | None = None
    entries: int | None = None
    newest: datetime | None = None
    problem: str = ""
    """Why the fact is stale; empty when it works."""
    notes: list[str] = field(default_factory=list)

    @property
    def stale(self) -> bool:
        return bool(self.problem)

    def to_json(self) -> str:
        data = asdict(self)
        data["newest"] = self.newest.isoformat() if self.newest else None
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, line: str) -> ProbeResult:
        data = json.loads(line)
        newest = data.pop("newest")
        return cls(**data, newest=datetime.fromisoformat(newest) if newest else None)


def read_report(path: Path) -> list[ProbeResult]:
    """The results a probe run wrote (one JSON object per line), in request order."""
    if not path.exists():
        return []
    return [ProbeResult.from_json(line) for line in path.read_text("utf-8").splitlines() if line]


def _answered(result: ProbeResult, response: Response) -> bool:
    """Status and moves (redirects are reported, not followed); False when the body
    is not worth reading."""
    result.status = response.status
    if 300 <= response.status < 400:
        location = (response.headers.get(b"Location") or b"").decode("latin-1")
        result.problem = f"moved ({response.status}) to {urljoin(response.url, location)}"
        return False
    if response.status >= 400:
        result.problem = f"HTTP {response.status}"
        return False
    return True


def _dated(result: ProbeResult, dates: list[datetime | None], stale_before: datetime) -> None:
    known = [d for d in dates if d is not None]
    result.newest = max(known) if known else None
    if not result.entries:
        result.problem = result.problem or "lists no entries"
    elif result.newest is not None and result.newest < stale_before:
        result.problem = result.problem or (
            f"newest entry {result.newest:%Y-%m-%d} is before {stale_before:%Y-%m-%d}")


def judge_feed(result: ProbeResult, response: Response, stale_before: datetime) -> None:
    if not _answered(result, response):
        return
    entries = feed_entries(response.body, response.url)
    if entries is None:
        result.problem = result.problem or "not an RSS/Atom feed"
        return
    result.entries = len(entries)
    _dated(result, [entry.date for entry in entries], stale_before)


def judge_sitemap(result: ProbeResult, response: Response, stale_before: datetime) -> None:
    if not _answered(result, response):
        return
    body = sitemap_body(response)
    # is_sitemap parses the XML once more; a probe reads a handful of files per site.
    if body is None or not is_sitemap(response):
        result.problem = result.problem or "not a sitemap (no urlset or sitemapindex XML)"
        return
    sitemap = parse_sitemap(body, response.url)
    result.entries = len(sitemap.entries)
    if sitemap.is_index:
        result.notes.append(f"index of {len(sitemap.entries)} sitemaps")
    _dated(result, [entry.date for entry in sitemap.entries], stale_before)


def judge_robots(result: ProbeResult, response: Response, config_sitemaps: list[str]
                 ) -> Protego | None:
    """The rules to obey (None: fetch nothing more from this host), noting the
    ``Sitemap:`` lines the config does not list.

    RFC 9309: a 4xx robots.txt means no rules; a 5xx means assume everything
    disallowed.
    """
    result.status = response.status
    if 400 <= response.status < 500:
        result.notes.append("no robots.txt: nothing disallowed")
        return Protego.parse("")
    if response.status >= 500:
        result.problem = f"HTTP {response.status}: everything counts as disallowed"
        return None
    named = [urljoin(response.url, url) for url in sitemap_urls_from_robots(response.body)]
    result.entries = len(named)
    missing = [url for url in named if url not in config_sitemaps]
    if missing:
        result.notes.append("sitemaps not in the config: " + " ".join(missing))
    return Protego.parse(response.text)
