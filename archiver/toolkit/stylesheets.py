"""The stylesheets a page links, read from the archive it was captured into.

A soft wall may hide the article's end with a class of its linked stylesheet
(``/main.css``: ``.locked{display:none}``), which the live crawl cannot read when
it judges the page: it fetches the page's requisites after the verdict, and
feeding a page the stylesheets earlier pages brought would make a verdict depend
on crawl order. Re-analysed from the archive (``archiver reextract``), a page has
them all: :class:`ArchivedStylesheets` indexes the stylesheet captures of the
WARCs read (the scan's own entries, as a CDXJ index of them would list them),
and :class:`PageStylesheets` gives the detector the ``<link rel=stylesheet>``
(and preloaded) sheets and their ``@import``\\ s, resolved against the page's URL
as discovery resolves them (``CapturedPage.requisites``,
:func:`~archiver.discovery.links.css_references`), each from its capture nearest
in time to the page's. The paywall rules read their text as they read the
page's ``<style>`` (:meth:`~archiver.paywall.facts.PageFacts.stylesheet_hides`);
the verdict records what was read, missing or skipped
(:attr:`~archiver.paywall.verdict.PaywallVerdict.stylesheets`).

The work is bounded: at most :data:`MAX_STYLESHEETS` sheets a page and
:data:`MAX_PAGE_BYTES` of their text; the rest are skipped and listed so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, lru_cache
from urllib.parse import urlsplit

from w3lib.encoding import http_content_type_encoding

from archiver.capture.bounded import BodyTooLarge
from archiver.discovery.links import css_references
from archiver.page import CapturedPage
from archiver.toolkit.captures import CaptureEntry, UndecodableBody, read_capture

MAX_STYLESHEETS = 20
"""Sheets looked up for one page, imports included: real news pages link 2 to 15."""
MAX_PAGE_BYTES = 2 << 20
"""Characters of stylesheet text read for one page: a site's whole CSS is 0.1-1 MB."""
_READ_ERRORS = (OSError, ValueError, UndecodableBody, BodyTooLarge)


@dataclass(frozen=True)
class Stylesheet:
    url: str
    text: str


def _is_stylesheet(entry: CaptureEntry) -> bool:
    kind = entry.content_type or (entry.original.content_type if entry.original else None)
    if kind:
        return kind.split(";")[0].strip().lower() == "text/css"
    return urlsplit(entry.url).path.lower().endswith(".css")


def _seconds(date: str) -> float | None:
    try:
        return datetime.fromisoformat(date.strip()).timestamp()
    except ValueError:
        return None


class ArchivedStylesheets:
    """The stylesheet captures of a set of WARCs, by URL: the responses (and resolved
    revisits) served as ``text/css``, or named ``.css`` where no type was sent."""

    def __init__(self, entries: Iterable[CaptureEntry]) -> None:
        self.by_url: dict[str, list[CaptureEntry]] = {}
        for entry in entries:
            if _is_stylesheet(entry):
                self.by_url.setdefault(entry.url, []).append(entry)

    def nearest(self, url: str, date: str) -> CaptureEntry | None:
        """The capture of ``url`` nearest in time to ``date`` (the earlier on a tie)."""
        captures = self.by_url.get(url)
        if not captures:
            return None
        when = _seconds(date)

        def distance(entry: CaptureEntry) -> tuple[float, str]:
            seen = _seconds(entry.date)
            gap = abs(seen - when) if seen is not None and when is not None else float("inf")
            return gap, entry.date

        return min(captures, key=distance)

    def of_page(self, page: CapturedPage, date: str) -> PageStylesheets:
        return PageStylesheets(self, page, date)


@lru_cache(maxsize=32)
def _text(entry: CaptureEntry) -> str | None:
    """A stylesheet capture's text (``None`` unless it was a 200), decoded by its declared
    charset, else as UTF-8; kept for the next pages of the same site in this process."""
    capture = read_capture(entry)
    if capture.status != 200:
        return None
    declared = next((value for name, value in capture.headers
                     if name.lower() == "content-type"), None)
    encoding = http_content_type_encoding(declared) or "utf-8"
    return capture.body.decode(encoding, "replace")


class PageStylesheets:
    """One page's linked stylesheets from the archive, looked up on first use (the
    detector asks for them on article pages only)."""

    def __init__(self, archive: ArchivedStylesheets, page: CapturedPage, date: str) -> None:
        self._archive = archive
        self._page = page
        self._date = date
        self.missing: list[str] = []
        """Linked URLs with no capture in the archive, or none with status 200."""
        self.skipped: list[str] = []
        """Linked URLs past the bounds, or whose capture could not be read."""

    @cached_property
    def sheets(self) -> list[Stylesheet]:
        """The sheets read, in the page's order, each followed by what it imports."""
        queue = [r.url for r in self._page.requisites if r.kind == "stylesheet"]
        seen = set(queue)
        found: list[Stylesheet] = []
        budget = MAX_PAGE_BYTES
        while queue:
            url = queue.pop(0)
            if len(found) + len(self.missing) + len(self.skipped) >= MAX_STYLESHEETS:
                self.skipped.append(url)
                continue
            entry = self._archive.nearest(url, self._date)
            try:
                text = None if entry is None else _text(entry)
            except _READ_ERRORS:
                self.skipped.append(url)
                continue
            if text is None:
                self.missing.append(url)
            elif len(text) > budget:
                self.skipped.append(url)
            else:
                budget -= len(text)
                found.append(Stylesheet(url, text))
                imports = [r.url for r in css_references(text, url)
                           if r.kind == "stylesheet" and r.url not in seen]
                seen.update(imports)
                queue[:0] = imports
        return found

    def record(self) -> dict[str, list[str]]:
        """What the verdict keeps: the URLs read, missing and skipped."""
        read = [sheet.url for sheet in self.sheets]  # looked up first: it fills the others
        return {"read": read, "missing": list(self.missing), "skipped": list(self.skipped)}
