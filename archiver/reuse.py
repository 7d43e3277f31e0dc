"""Recrawl for almost nothing: an unchanged page's stored analysis, reused.

A page fetched again whose payload is the one its last stored verdict was made
from (a 304 replayed from the archive, or an identical payload), judged by the
same detector version, gets that verdict and its extracted article back from
the catalog instead of being extracted and detected again: about 30 ms of CPU
per real article page saved.

Link discovery is kept too, with the capture that holds the payload
(:func:`remember_discovery`): links, feeds, requisites, canonical URL and
whether the page is an article. An unchanged page, article or hub, is then not
parsed at all (:func:`stored_discovery`); it is keyed by the detector version
and the site's config, so new code or a changed config parses it again. The same
key, stored as ``judged`` once a verdict was made under it, holds the verdict: a
site config's paywall hints are part of what judged the page, so a changed hint
(or article pattern) runs detection again, even after an ``ARCHIVER_ANALYSIS=off``
crawl re-read the page's links under the new config.

:func:`detector_version` is the package version plus a hash of every file in
``archiver/paywall/data/`` and ``archiver/languages/`` and of the code that turns a
payload into a verdict, an article and links (``ANALYSIS_CODE``), so any changed
rule, phrase, weight or line of that code invalidates the stored analyses by itself
(hashing the rule files alone let a rule changed in Python keep old verdicts);
``ARCHIVER_REANALYSE`` (``archiver crawl --reanalyse``) re-runs them all anyway.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archiver import __version__
from archiver.analysis import PageAnalysis, reuse_stored
from archiver.article import ArticleText
from archiver.capture.link import RecordLink
from archiver.languages import LANGUAGES_DIR
from archiver.paywall.data import DATA_DIR
from archiver.paywall.verdict import PaywallVerdict

if TYPE_CHECKING:
    from archiver.catalog.store import CaptureRow, CatalogStore
    from archiver.sites import SiteConfig


PACKAGE_DIR = Path(__file__).parent
ANALYSIS_CODE = ("paywall", "discovery", "page.py", "extraction.py", "analysis.py", "article.py",
                 "words.py")
"""Modules and packages of ``archiver/`` whose code decides what an analysis stores."""


def _analysis_files() -> Iterator[tuple[str, Path]]:
    for root in (DATA_DIR, LANGUAGES_DIR):
        for path in sorted(root.rglob("*.yaml")):
            yield path.relative_to(root.parent).as_posix(), path
    for name in ANALYSIS_CODE:
        path = PACKAGE_DIR / name
        for source in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            yield source.relative_to(PACKAGE_DIR).as_posix(), source


@cache
def detector_version() -> str:
    """``<package version>+<12 hex digits of the rule files' and analysis code's hash>``."""
    digest = hashlib.sha256()
    for name, path in _analysis_files():
        digest.update(name.encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return f"{__version__}+{digest.hexdigest()[:12]}"


WORD_COUNT = "word_count"
"""The stored article's word count, kept beside its fields: recounting the stored text
of every reused article was 2% of an unchanged recrawl's CPU."""


def stored_article(article: ArticleText) -> dict[str, Any]:
    """The extracted article as the catalog keeps it beside the verdict, with its word
    count."""
    return {**asdict(article), WORD_COUNT: article.word_count}


def reused_article(stored: dict[str, Any]) -> ArticleText:
    """The article :func:`stored_article` kept, its word count as stored (counted again
    only for a catalog written before the count was kept)."""
    fields = dict(stored)
    count = fields.pop(WORD_COUNT, None)
    article = ArticleText(**fields)
    if count is not None:
        article.word_count = count
    return article


@dataclass(frozen=True)
class StoredAnalysis:
    """What the last analysis of the same payload found."""

    article: ArticleText
    verdict: PaywallVerdict


def reusable_analysis(
    store: CatalogStore, url: str, link: RecordLink | None, key: str
) -> StoredAnalysis | None:
    """The stored analysis of ``url`` when it still holds for the capture ``link``:
    made from the same payload digest by this detector version, under the site
    config of discovery ``key``."""
    if link is None:
        return None
    capture = _payload_capture(store, link, url)
    if capture is None or (capture.discovery or {}).get("judged") != key:
        return None
    verdict = store.last_verdict(url)
    if (
        verdict is None
        or verdict.extracted is None
        or verdict.detector_version != detector_version()
        or verdict.payload_digest != link.payload_digest
    ):
        return None
    return StoredAnalysis(reused_article(verdict.extracted),
                          PaywallVerdict.from_dict(verdict.verdict))


def discovery_key(config: SiteConfig) -> str:
    """What stored discovery was made with: this code and rule files, and the site's
    config (its article patterns decide what is an article)."""
    made_with = detector_version() + "\0" + config.model_dump_json()
    return hashlib.sha256(made_with.encode()).hexdigest()[:16]


def _payload_capture(store: CatalogStore, link: RecordLink, url: str) -> CaptureRow | None:
    """The capture holding the payload ``link`` brought, if it is ``url``'s own (an
    identical payload found under another URL resolves its links differently)."""
    capture = store.stored_capture((link.refers_to or link.location).record_id)
    return capture if capture is not None and capture.url == url else None


def stored_discovery(
    store: CatalogStore, link: RecordLink | None, url: str, key: str
) -> PageAnalysis | None:
    """The discovery-only analysis of an unchanged page (``link`` a revisit), stored
    with its payload under ``key``; ``None`` when the page has to be parsed."""
    if link is None or link.refers_to is None:
        return None
    capture = _payload_capture(store, link, url)
    stored = capture.discovery if capture is not None else None
    if not stored or stored.get("key") != key:
        return None
    return PageAnalysis.from_discovery(stored)


@dataclass(frozen=True)
class StoredPage:
    """What the catalog still holds of an unchanged page (a revisit) of ``url``."""

    url: str
    analysis: StoredAnalysis | None
    """Its stored verdict and article, made from this payload by this detector version."""
    reused: PageAnalysis | None
    """Its whole analysis when nothing is left to parse: the stored discovery, and for
    an article analysed in full its stored verdict and article too."""


def stored_page(
    store: CatalogStore, link: RecordLink | None, url: str, key: str, full: bool
) -> StoredPage:
    """What of an unchanged page's analysis can be reused (``link`` its capture, ``key``
    its site's discovery key, ``full`` an article is to be extracted and judged)."""
    if link is None or link.record_type != "revisit":
        return StoredPage(url, None, None)
    discovered = stored_discovery(store, link, url, key)
    wants_analysis = full and (discovered is None or discovered.is_article)
    analysis = reusable_analysis(store, url, link, key) if wants_analysis else None
    reused = discovered
    if discovered is not None and discovered.is_article and full:
        reused = reuse_stored(discovered, analysis) if analysis is not None else None
    return StoredPage(url, analysis, reused)


def remember_discovery(
    store: CatalogStore, link: RecordLink | None, url: str, analysis: PageAnalysis, key: str
) -> None:
    """Keep what discovery found in this page with the capture holding its payload,
    and under which ``key`` its verdict was last made (``analysis.paywall`` set)."""
    if link is None:
        return
    capture = _payload_capture(store, link, url)
    if capture is None:
        return
    kept = capture.discovery or {}
    judged = key if analysis.paywall is not None else kept.get("judged")
    if kept.get("key") != key or kept.get("judged") != judged:
        row = store.capture_by_record_id(capture.record_id)  # loaded, to be written
        if row is not None:
            row.discovery = {"key": key, "judged": judged, **analysis.discovery()}
