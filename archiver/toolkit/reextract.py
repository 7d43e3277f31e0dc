"""Re-running extraction and paywall detection on archived captures, across cores.

An item from ``archiver reextract`` is built exactly as in the live crawl: the
record's decoded body becomes a Scrapy response (Scrapy picks the response
class, as its decompression middleware does), then ``captured_page``,
``analyse_page`` and ``analysed_item`` from :mod:`archiver.analysis` run on it,
with the paywall hints and article rules of the site config owning the URL
(as the ``news`` spider uses them), and the capture link names the record read.
One thing the crawl could not do is done too: detection reads the stylesheets the
page links, from their captures in the same WARCs (:mod:`archiver.toolkit.stylesheets`),
and the verdict lists them (``--no-stylesheets``: the page alone, as the crawl judged it).
Files are scanned in parallel, then records are analysed in batches by a process
pool, so a single large WARC also uses every core.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from scrapy.http import Headers, TextResponse
from scrapy.responsetypes import responsetypes

from archiver.analysis import analyse_page, analysed_item, captured_page
from archiver.capture.link import RecordLink, RecordLocation
from archiver.discovery.classifier import is_article
from archiver.discovery.scope import SiteScope
from archiver.items import ArticleItem
from archiver.sites import SiteConfig
from archiver.toolkit.captures import (
    ArchivedResponse,
    CaptureEntry,
    read_capture,
    resolve_revisits,
    scan_warc,
)
from archiver.toolkit.progress import progress
from archiver.toolkit.readable import Damage, describe
from archiver.toolkit.stylesheets import ArchivedStylesheets

DECODED_AWAY = frozenset({b"content-encoding", b"transfer-encoding"})
"""Headers that describe the wire encoding, gone once warcio has decoded the body
(Scrapy's HttpCompressionMiddleware drops Content-Encoding the same way)."""

MAX_BATCH = 64


@dataclass
class ReextractResult:
    items: list[ArticleItem] = field(default_factory=list)
    records: int = 0
    problems: list[Damage] = field(default_factory=list)

    @property
    def missing_stylesheets(self) -> int:
        """Linked stylesheets not in the WARCs read, over all articles (a sheet two
        articles link counts twice): their verdicts were made without them."""
        return sum(len((item.paywall or {}).get("stylesheets", {}).get("missing", []))
                   for item in self.items)


def capture_link(entry: CaptureEntry, status: int) -> RecordLink:
    """The capture link of the record read: the revisit itself for a revisit, as the crawl
    that wrote it would have linked it."""
    return RecordLink(
        location=RecordLocation(
            filename=os.path.basename(entry.path), offset=entry.offset, length=entry.length,
            record_id=entry.record_id,
        ),
        url=entry.url,
        status=status,
        payload_digest=entry.payload_digest or "",
        fetched_at=entry.date,
        crawl_id=entry.crawl_id or "",
    )


def analyse_capture(
    capture: ArchivedResponse, scopes: Sequence[SiteScope] = (),
    stylesheets: ArchivedStylesheets | None = None,
) -> ArticleItem | None:
    """The item the live crawl would have emitted for this capture, or None.

    The first of ``scopes`` owning the URL supplies the hints and article rules;
    without one, the defaults of an ad-hoc ``archiver crawl --url`` apply. With
    ``stylesheets`` (the archive's), detection also reads the stylesheets the page
    links (:mod:`archiver.toolkit.stylesheets`), and the verdict says which.
    """
    headers = Headers()
    for name, value in capture.headers:
        encoded = name.encode("latin-1", "replace")
        if encoded.lower() not in DECODED_AWAY:
            headers.appendlist(encoded, value.encode("latin-1", "replace"))
    url = capture.entry.url
    response_class = responsetypes.from_args(headers=headers, url=url, body=capture.body)
    response = response_class(url=url, status=capture.status, headers=headers,
                              body=capture.body)
    if not isinstance(response, TextResponse):
        return None
    page = captured_page(response)
    if stylesheets is not None:
        page.stylesheets = stylesheets.of_page(page, capture.entry.date)
    scope = next((s for s in scopes if s.owns(url)), None)
    if scope is None:
        analysis = analyse_page(page, None, is_article)
    else:
        analysis = analyse_page(page, scope.config.paywall_hints(), scope.is_article)
    link = capture_link(capture.entry, capture.status)
    item = analysed_item(url, capture.status, analysis, link)
    if item is not None and not link.crawl_id:
        item.crawl_id = None
    return item


def _analyse_batch(
    batch: Sequence[tuple[int, CaptureEntry]], sites: Sequence[SiteConfig],
    stylesheets: ArchivedStylesheets | None,
) -> tuple[list[tuple[int, ArticleItem]], list[Damage]]:
    scopes = [SiteScope(config) for config in sites]
    items: list[tuple[int, ArticleItem]] = []
    problems: list[Damage] = []
    for order, entry in batch:
        try:
            item = analyse_capture(read_capture(entry), scopes, stylesheets)
        except Exception as error:  # a third-party record we cannot decode: name it, go on
            problems.append(Damage(entry.path, entry.offset,
                                   f"{entry.url}: {describe(error)}; skipped"))
            continue
        if item is not None:
            items.append((order, item))
    return items, problems


def _batches(entries: list[CaptureEntry], workers: int) -> Iterator[list[tuple[int, CaptureEntry]]]:
    numbered = list(enumerate(entries))
    size = max(1, min(MAX_BATCH, len(numbered) // (workers * 4) or 1))
    for start in range(0, len(numbered), size):
        yield numbered[start : start + size]


def reextract(
    warcs: Sequence[Path], workers: int | None = None, sites: Sequence[SiteConfig] = (),
    stylesheets: bool = True,
) -> ReextractResult:
    """Items for every article captured in ``warcs``, in file and record order; with
    ``stylesheets``, each verdict also reads the page's linked stylesheets captured in
    ``warcs`` (``False``: the page alone, as the crawl judged it)."""
    workers = workers or os.cpu_count() or 1
    result = ReextractResult()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        scanned: list[CaptureEntry] = []
        damaged: list[Damage] = []
        with progress("scanning WARCs", len(warcs)) as advance:
            for entries, damage in pool.map(scan_warc, warcs):
                scanned += entries
                damaged += damage
                advance(1)
        entries, unresolved = resolve_revisits(scanned)
        result.problems = damaged + unresolved
        result.records = len(entries)
        # Only the stylesheet captures: a few per site, sent along with each batch.
        sheets = ArchivedStylesheets(entries) if stylesheets else None
        found: list[tuple[int, ArticleItem]] = []
        with progress("analysing records", len(entries)) as advance:
            sizes = {pool.submit(_analyse_batch, batch, sites, sheets): len(batch)
                     for batch in _batches(entries, workers)}
            for future in as_completed(sizes):
                items, problems = future.result()
                found += items
                result.problems += problems
                advance(sizes[future])
    result.items = [item for _, item in sorted(found, key=lambda pair: pair[0])]
    return result
