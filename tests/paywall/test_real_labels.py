"""The real corpus's labels keep the rules the benchmark's figures rest on.

A figure is only as good as its labels: a page labelled twice, a site whose pages fall
into both splits, or a walled page without a kind would make ``python -m
benchmarks.paywall`` measure something other than what its README says. These checks
read ``labels.jsonl`` only, so they run where the pages themselves are absent.
"""

from __future__ import annotations

import gzip
import hashlib
from collections import Counter
from typing import get_args

import pytest

from archiver.paywall.verdict import Kind
from benchmarks.paywall.corpus import real_labels, real_pages_dir

LABELS = real_labels()


def test_every_page_has_its_provenance_and_one_label() -> None:
    for label in LABELS:
        source = label["source"]
        assert source["repository"].count("/") == 1, label["file"]
        assert len(source["commit"]) == 40 and len(source["sha1"]) == 40, label["file"]
        assert label["url"].startswith(("http://", "https://")), label["file"]
        assert label["label"] in ("walled", "free"), label["file"]
        assert label["evidence"].strip(), label["file"]
        assert isinstance(label.get("batch", 1), int), label["file"]


def test_kind_is_given_exactly_for_walled_pages() -> None:
    kinds = set(get_args(Kind))
    for label in LABELS:
        if label["label"] == "walled":
            assert label["kind"] in kinds, label["file"]
        else:
            assert label["kind"] is None, label["file"]


def test_no_page_is_labelled_twice() -> None:
    for key in ("file", "url"):
        repeated = [value for value, n in Counter(label[key] for label in LABELS).items()
                    if n > 1]
        assert not repeated, f"{key} labelled more than once: {repeated[:5]}"
    assert len({label["source"]["sha1"] for label in LABELS}) == len(LABELS)


def test_the_split_is_the_frozen_site_hash_and_no_site_outweighs_the_others() -> None:
    for label in LABELS:
        odd = int(hashlib.sha1(label["site"].encode()).hexdigest(), 16) % 2
        assert label["split"] == ("test" if odd else "tuning"), label["file"]
    crowded = [site for site, n in Counter(label["site"] for label in LABELS).items() if n > 3]
    assert not crowded, f"more than three pages of {crowded}"


def test_each_staged_page_is_the_one_its_provenance_names() -> None:
    """The pages live outside the repository; this checks a copy of them (the one
    ``ARCHIVER_PAYWALL_CORPUS`` names) byte for byte against the recorded SHA-1."""
    directory = real_pages_dir()
    if not (directory / LABELS[0]["file"]).exists():
        pytest.skip(f"real corpus pages not found at {directory} (set ARCHIVER_PAYWALL_CORPUS, "
                    "or rebuild them: python -m benchmarks.sources paywall)")
    wrong = [label["file"] for label in LABELS
             if hashlib.sha1(gzip.decompress((directory / label["file"]).read_bytes())).hexdigest()
             != label["source"]["sha1"]]
    assert not wrong, f"pages differing from their provenance: {wrong[:5]}"
