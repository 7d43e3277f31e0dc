"""``python -m benchmarks.extraction``: trafilatura's options, by precision and speed.

The options the crawl passes to trafilatura were chosen here, on the real pages
of ``../shared/corpus/fundus`` (skipped with a reason when absent). For each
candidate it prints, over the pages whose JSON-LD carries the publisher's own
``articleBody`` (the only reference text the corpus has), the median token
precision and recall of the extracted text against it, how many pages lost
their body (recall under 0.5), the median and mean CPU ms per page, and how many paywall
verdicts differ from the crawl's current options (``detected``, ``kind``,
``truncated``): an option that changes detection must show why. The mean
matters as much as the median: the crawl's CPU a page is the mean, and pages
sent to trafilatura's full mode cost three times the median.

Then the metadata: how many titles, publication days and author lists agree
with fundus' own hand-checked expectations (``fundus_metadata.jsonl``: the
``title``, ``authors`` and ``publishing_date`` of each page's test case in
flairNLP/fundus at commit 18da6e53, ``tests/resources/parser/test_data/``;
labels only, the pages stay in ``../shared``), for the page's declared metadata
(:func:`archiver.extraction.page_metadata`, what the crawl uses) against
trafilatura's metadata pass, with CPU ms per page of each.
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from archiver import extraction
from archiver.article import ArticleText
from archiver.extraction import PageMetadata, extract_article, page_metadata
from archiver.page import CapturedPage
from archiver.paywall import detect_paywall

ROOT = Path(__file__).resolve().parents[2]
FUNDUS = ROOT.parent / "shared" / "corpus" / "fundus"
METADATA_LABELS = Path(__file__).with_name("fundus_metadata.jsonl")
_TOKEN = re.compile(r"\w+", re.UNICODE)
_TAG = re.compile(r"<[^>]*>")


def _tokens(text: str) -> Counter[str]:
    return Counter(token.lower() for token in _TOKEN.findall(text))


def _reference(page: CapturedPage) -> str | None:
    bodies = [item["articleBody"] for item in page.json_ld
              if isinstance(item.get("articleBody"), str)]
    body = max(bodies, key=len, default="")
    text = html.unescape(_TAG.sub(" ", body))
    return text if len(text.split()) >= 80 else None


def _scores(extracted: str, reference: str) -> tuple[float, float]:
    got, want = _tokens(extracted), _tokens(reference)
    common = sum((got & want).values())
    return (common / max(sum(got.values()), 1), common / max(sum(want.values()), 1))


def _with(**options: Any) -> Callable[[CapturedPage], ArticleText]:
    """``extract_article`` with some trafilatura options replaced."""

    def run(page: CapturedPage) -> ArticleText:
        original = extraction.trafilatura.bare_extraction

        def patched(*args: Any, **kwargs: Any) -> Any:
            return original(*args, **{**kwargs, **options})

        extraction.trafilatura.bare_extraction = patched
        try:
            return extract_article(page)
        finally:
            extraction.trafilatura.bare_extraction = original

    return run


CANDIDATES: dict[str, Callable[[CapturedPage], ArticleText]] = {
    "current (fast, full below 150 words)": extract_article,
    "full mode always": _with(fast=False),
    "fast mode only": lambda page: _fast_only(page),
    "favor_precision off": _with(favor_precision=False),
    "favor_recall": _with(favor_precision=False, favor_recall=True),
}


def _fast_only(page: CapturedPage) -> ArticleText:
    minimum = extraction.FAST_MODE_MIN_WORDS
    extraction.FAST_MODE_MIN_WORDS = 0
    try:
        return extract_article(page)
    finally:
        extraction.FAST_MODE_MIN_WORDS = minimum


def _labels(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _pages() -> dict[str, CapturedPage]:
    """The corpus pages by file name."""
    return {label["file"]: CapturedPage(label["url"],
                                        gzip.decompress((FUNDUS / label["file"]).read_bytes()))
            for label in _labels(FUNDUS / "labels.jsonl")}


def _trafilatura_metadata(page: CapturedPage) -> PageMetadata:
    """trafilatura's metadata pass, as the crawl ran it before (``with_metadata``)."""
    found = extraction.trafilatura.extract_metadata(page.tree, page.url)
    authors = [a.strip() for a in (found.author or "").split(";") if a.strip()]
    return PageMetadata(title=found.title, published=found.date, authors=authors)


def _same(value: str | None) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", value or "")).strip().casefold()


def compare_metadata(pages: dict[str, CapturedPage]) -> None:
    """Agreement with fundus' labels: exact titles and author lists (Unicode
    normalised, case folded), publication days."""
    labels = [label for label in _labels(METADATA_LABELS) if label["file"] in pages]
    print(f"\nmetadata against fundus' labels, {len(labels)} pages")
    print(f"{'source':<38} {'titles':>7} {'days':>5} {'authors':>8} {'ms':>6} {'mean':>6}")
    for name, read in (("declared (crawl)", page_metadata),
                       ("trafilatura with_metadata", _trafilatura_metadata)):
        titles = days = authors = 0
        times = []
        for label in labels:
            page = pages[label["file"]]
            start = time.process_time()
            found = read(page)
            times.append(time.process_time() - start)
            titles += _same(found.title) == _same(label["title"])
            days += (found.published or "")[:10] == (label["publishing_date"] or "")[:10]
            authors += (sorted(map(_same, found.authors))
                        == sorted(map(_same, label["authors"] or [])))
        print(f"{name:<38} {titles:7d} {days:5d} {authors:8d} "
              f"{statistics.median(times) * 1000:6.1f} {statistics.mean(times) * 1000:6.1f}")


def _verdict(page: CapturedPage, article: ArticleText) -> tuple:
    verdict = detect_paywall(page, article)
    return verdict.detected, verdict.kind, verdict.truncated


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.extraction")
    parser.add_argument("--limit", type=int, help="only the first N pages")
    args = parser.parse_args(argv)
    if not (FUNDUS / "labels.jsonl").exists():
        print(f"skipped: no corpus at {FUNDUS}")
        return 0
    by_file = dict(list(_pages().items())[: args.limit])
    pages = list(by_file.values())
    for page in pages:
        page.tree, page.json_ld, page.meta  # noqa: B018 - read once before timing, as the crawl does
    references = {id(page): _reference(page) for page in pages}
    baseline: dict[int, tuple] = {}
    print(f"{len(pages)} pages, {sum(1 for r in references.values() if r)} with articleBody")
    print(f"{'options':<38} {'precision':>9} {'recall':>7} {'lost':>5} {'ms':>6} {'mean':>6} "
          f"{'verdicts':>9}")
    for name, extract in CANDIDATES.items():
        precision, recall, times, lost, changed = [], [], [], 0, 0
        for page in pages:
            start = time.process_time()
            article = extract(page)
            times.append(time.process_time() - start)
            verdict = _verdict(page, article)
            if not baseline.get(id(page)):
                baseline[id(page)] = verdict
            changed += verdict != baseline[id(page)]
            reference = references[id(page)]
            if reference:
                p, r = _scores(article.text, reference)
                precision.append(p)
                recall.append(r)
                lost += r < 0.5
        print(f"{name:<38} {statistics.median(precision):9.3f} {statistics.median(recall):7.3f} "
              f"{lost:5d} {statistics.median(times) * 1000:6.1f} "
              f"{statistics.mean(times) * 1000:6.1f} {changed:9d}")
    compare_metadata(by_file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
