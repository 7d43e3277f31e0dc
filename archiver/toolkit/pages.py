"""The page list of a package: the crawl's articles, with their paywall verdicts.

WACZ readers (ReplayWeb.page, pywb) list a package's entry points from
``pages/pages.jsonl``: ``url``, ``ts`` and ``title`` as the WACZ 1.1.1 spec
defines them, plus ``paywall`` (our verdict object) as an extra field. Pages come
from the crawl's item files when a crawl directory is given, else from the
``paywall-verdict`` metadata records the crawl writes into its WARCs, so a
package can be rebuilt from the WARCs alone.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archiver.page import CapturedPage
from archiver.paywall.record import VerdictRecord, read_verdict_record
from archiver.toolkit.captures import read_capture, scan_warc
from archiver.toolkit.inputs import item_files, read_items
from archiver.toolkit.readable import Damage, describe, read_records

PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "Articles"}


@dataclass(frozen=True)
class Page:
    id: str
    url: str
    ts: str
    title: str | None
    paywall: dict[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"id": self.id, "url": self.url, "ts": self.ts}
        if self.title:
            entry["title"] = self.title
        entry["paywall"] = self.paywall
        return entry


def _page_id(record_id: str) -> str:
    return record_id.strip("<>").removeprefix("urn:uuid:")


def pages_from_items(items: Iterable[dict[str, Any]], warc_names: set[str]) -> list[Page]:
    """Pages for the items whose response record is in one of the packaged WARCs."""
    return [
        Page(id=_page_id(item["warc_record_id"]), url=item["url"], ts=item["fetched_at"],
             title=item.get("title"), paywall=item.get("paywall"))
        for item in items
        if item.get("warc_filename") in warc_names and item.get("warc_record_id")
    ]


def _verdicts(path: Path) -> Iterator[VerdictRecord]:
    """The verdict records of one file; damage is left to the ``scan_warc`` pass over the
    same file, so that each problem is reported once."""
    with open(path, "rb") as stream:
        for _, record in read_records(stream, str(path), lambda damage: None,
                                      keep=lambda r: r.rec_type == "metadata"):
            verdict = read_verdict_record(record)
            if verdict is not None:
                yield verdict


def pages_from_warcs(warcs: Sequence[Path], on_damage: Callable[[Damage], None],
                     ) -> list[Page]:
    """Pages for the responses that a paywall-verdict metadata record refers to; the
    title is the page's ``<title>``, read from the archived response. What cannot be
    read goes to ``on_damage`` and is left out."""
    verdicts = {verdict.refers_to: verdict for path in warcs for verdict in _verdicts(path)}
    pages = []
    for path in warcs:
        entries, damage = scan_warc(path)
        for problem in damage:
            on_damage(problem)
        for entry in entries:
            if entry.record_id not in verdicts:
                continue
            try:
                body = read_capture(entry).body
            except Exception as error:  # a record that does not decode: name it, go on
                on_damage(Damage(entry.path, entry.offset, f"{entry.url}: {describe(error)}"))
                continue
            page = CapturedPage(url=entry.url, body=body)
            title = (page.tree.findtext(".//title") or "").strip() or None
            pages.append(Page(id=_page_id(entry.record_id), url=entry.url, ts=entry.date,
                              title=title, paywall=verdicts[entry.record_id].verdict))
    return pages


def crawl_pages(inputs: Sequence[Path], warcs: Sequence[Path],
                on_damage: Callable[[Damage], None]) -> list[Page]:
    """Pages from the item files of the directories among ``inputs``, else from the WARCs."""
    files = [f for path in inputs if path.is_dir() for f in item_files(path)]
    if files:
        return pages_from_items(read_items(files), {os.path.basename(w) for w in warcs})
    return pages_from_warcs(warcs, on_damage)


def pages_jsonl(pages: Iterable[Page]) -> bytes:
    lines = [PAGES_HEADER, *(page.to_dict() for page in pages)]
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()
