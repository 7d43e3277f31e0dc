"""The labelled corpora the paywall benchmark reads, as :class:`Case` objects.

* ``real``: real captures saved by other projects (news extractors' test pages and
  their git history), labelled by reading each page's end. The labels and their
  provenance are ours and live in ``benchmarks/paywall/real/labels.jsonl``; the
  pages belong to their publishers and are not in this repository (the search
  tool's rules keep fetched third-party data in the steering repository's
  ``shared/``): they are read from ``$ARCHIVER_PAYWALL_CORPUS`` or
  ``../shared/corpus/paywall`` and the corpus is skipped with a reason where absent.
* ``fundus``: ``../shared/corpus/fundus``, the publisher's *declaration*, three
  known truncated pages and one soft wall (:data:`FUNDUS_WALLED`); every other
  page counts as complete. It measures ``declared``, false alarms, robustness
  and speed, not recall, and trains the model as free pages of its sites
  (``fit.py``: held out by site in the cross-validation like the real corpus).
* ``tuning`` and ``unseen``: the hand-made pages the rules were written and then
  corrected against: regression corpora, not a measure of generalisation.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tldextract import TLDExtract

from archiver.page import CapturedPage

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "corpus"
REAL_LABELS = ROOT / "benchmarks" / "paywall" / "real" / "labels.jsonl"
FUNDUS = SHARED / "fundus"
_DOMAINS = TLDExtract(suffix_list_urls=())
HAND_MADE = {
    "tuning": ROOT / "tests" / "paywall" / "fixtures" / "tuning",
    "unseen": ROOT / "benchmarks" / "paywall" / "unseen",
}
FUNDUS_TRUNCATED = {
    "fr/LeMonde_2023_09_01.html.gz",
    "pl/Rzeczpospolita_2025_02_02.html.gz",
    "jp/ChunichiShimbun_2025_01_13.html.gz",
}
FUNDUS_WALLED = {
    # Read in the raw HTML (session 5): the whole text is sent inside
    # `.paywall` > `.purple-inner-container`, which the page's stylesheet blurs
    # and cuts to 100 px, and "Jetzt weiterlesen mit BZ+ ... 4 Wochen für nur 1 €
    # testen" follows; fundus itself says free_access false. A soft wall by this
    # corpus' kind rule, not a complete article to count false alarms on.
    "de/BoersenZeitung_2024_12_16.html.gz": "soft",
} | {name: "hard" for name in FUNDUS_TRUNCATED}
"""fundus' pages a reader without an account does not get, with their kind:
the rest are complete articles (fundus' own labels say only what the publisher
declares and are left as they are)."""


@dataclass
class Case:
    """One labelled page. ``expected`` holds ``detected`` and, where defined,
    ``kind``, ``truncated``, ``declared`` or ``declared_closed``; ``meta`` the
    grouping keys (site, language, group, split)."""

    name: str
    page: CapturedPage
    expected: dict[str, Any]
    meta: dict[str, Any]


def real_pages_dir() -> Path:
    """Where the real corpus's pages are: ``$ARCHIVER_PAYWALL_CORPUS`` or the
    shared corpus beside the repository."""
    override = os.environ.get("ARCHIVER_PAYWALL_CORPUS")
    return Path(override) if override else SHARED / "paywall"


TRAIN_ONLY = "train-only"
"""A label's ``role`` for a page that trains the model and is never scored: a
wall of a site that already has its three scored pages (the cap that keeps one
site from outweighing the others). It trains every fold but its own site's, as
the hand-made pages do, and no figure counts it."""


def all_real_labels() -> list[dict[str, Any]]:
    """Every line of ``real/labels.jsonl``: the scored pages and the training-only ones."""
    return [json.loads(line) for line in REAL_LABELS.read_text(encoding="utf-8").splitlines()]


def real_labels(batch: int | None = None) -> list[dict[str, Any]]:
    """The real corpus's scored labels (not :data:`TRAIN_ONLY`); with ``batch``,
    only the pages labelled in that batch (a label without a ``batch`` field is
    of the first), so that a new batch can be scored once, before anything is
    changed for it."""
    labels = [label for label in all_real_labels() if label.get("role") != TRAIN_ONLY]
    return labels if batch is None else [label for label in labels
                                         if label.get("batch", 1) == batch]


def train_only_labels() -> list[dict[str, Any]]:
    """The real pages that train the model and are never scored (:data:`TRAIN_ONLY`)."""
    return [label for label in all_real_labels() if label.get("role") == TRAIN_ONLY]


def real_cases(labels: list[dict[str, Any]] | None = None) -> Iterator[Case]:
    directory = real_pages_dir()
    for label in labels if labels is not None else real_labels():
        body = gzip.decompress((directory / label["file"]).read_bytes())
        walled = label["label"] == "walled"
        yield Case(label["file"], CapturedPage(label["url"], body),
                   {"detected": walled, "kind": label["kind"]},
                   {key: label[key] for key in ("site", "language", "group", "split")}
                   | {"batch": label.get("batch", 1), "role": label.get("role", "scored")})


def fundus_cases() -> Iterator[Case]:
    for line in (FUNDUS / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        label = json.loads(line)
        body = gzip.decompress((FUNDUS / label["file"]).read_bytes())
        kind = FUNDUS_WALLED.get(label["file"])
        yield Case(label["file"], CapturedPage(label["url"], body),
                   {"detected": kind is not None, "kind": kind,
                    "truncated": label["file"] in FUNDUS_TRUNCATED,
                    "declared_closed": not label["free_access"]},
                   {"site": site_of(label["url"]), "language": label["country"].lower(),
                    "group": "fundus", "split": "fundus"})


def site_of(url: str) -> str:
    """The site a page is grouped by, as the real corpus' labels name it (the
    domain under the public suffix, from tldextract's bundled list: no
    download), so a publisher in both corpora falls in one fold."""
    return _DOMAINS(url).top_domain_under_public_suffix


def hand_made_cases(directory: Path) -> Iterator[Case]:
    for line in (directory / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        label = json.loads(line)
        page = CapturedPage(label["url"], (directory / label["file"]).read_bytes(),
                            status=label.get("status", 200), headers=label.get("headers", {}))
        yield Case(label["file"], page,
                   {key: label[key] for key in ("detected", "kind", "truncated", "declared")},
                   {"site": label["file"], "language": label.get("language", "?"),
                    "group": "hand-made", "split": directory.name})


def available(batch: int | None = None) -> tuple[dict[str, Iterator[Case]], list[str]]:
    """The corpora found, and a line for each one skipped; with ``batch``, the
    real corpus holds only that labelling batch."""
    found: dict[str, Iterator[Case]] = {}
    skipped: list[str] = []
    pages = real_pages_dir()
    if (pages / real_labels()[0]["file"]).exists():
        found["real"] = real_cases(real_labels(batch))
    else:
        skipped.append(f"real corpus pages not found at {pages} (set ARCHIVER_PAYWALL_CORPUS, "
                       "or rebuild them: python -m benchmarks.sources paywall)")
    if (FUNDUS / "labels.jsonl").exists():
        found["fundus"] = fundus_cases()
    else:
        skipped.append(f"fundus corpus not found at {FUNDUS}")
    for name, directory in HAND_MADE.items():
        found[name] = hand_made_cases(directory)
    return found, skipped
