"""Recrawl for almost nothing: an unchanged page's stored analysis, reused.

A page fetched again whose payload is the one its last stored verdict was made
from (a 304 replayed from the archive, or an identical payload), judged by the
same detector version, gets that verdict and its extracted article back from
the catalog instead of being extracted and detected again: about 30 ms of CPU
per real article page saved, and only link discovery parses it.

:func:`detector_version` is the package version plus a hash of every file in
``archiver/paywall/data/`` and ``archiver/languages/``, so any changed rule,
phrase or weight invalidates the stored verdicts by itself; ``ARCHIVER_REANALYSE`` (``archiver crawl
--reanalyse``) re-runs them all anyway.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from archiver import __version__
from archiver.capture.link import RecordLink
from archiver.extraction import ArticleText
from archiver.languages import LANGUAGES_DIR
from archiver.paywall.data import DATA_DIR
from archiver.paywall.verdict import PaywallVerdict

if TYPE_CHECKING:
    from archiver.catalog.store import CatalogStore


@cache
def detector_version() -> str:
    """``<package version>+<12 hex digits of the rule files' hash>``."""
    digest = hashlib.sha256()
    for root in (DATA_DIR, LANGUAGES_DIR):
        for path in sorted(root.rglob("*.yaml")):
            digest.update(path.relative_to(root.parent).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return f"{__version__}+{digest.hexdigest()[:12]}"


def stored_article(article: ArticleText) -> dict[str, Any]:
    """The extracted article as the catalog keeps it beside the verdict."""
    return asdict(article)


@dataclass(frozen=True)
class StoredAnalysis:
    """What the last analysis of the same payload found."""

    article: ArticleText
    verdict: PaywallVerdict


def reusable_analysis(
    store: CatalogStore, url: str, link: RecordLink | None
) -> StoredAnalysis | None:
    """The stored analysis of ``url`` when it still holds for the capture ``link``:
    made from the same payload digest by this detector version."""
    if link is None:
        return None
    verdict = store.last_verdict(url)
    if (
        verdict is None
        or verdict.extracted is None
        or verdict.detector_version != detector_version()
        or verdict.capture.payload_digest != link.payload_digest
    ):
        return None
    return StoredAnalysis(ArticleText(**verdict.extracted),
                          PaywallVerdict.from_dict(verdict.verdict))
