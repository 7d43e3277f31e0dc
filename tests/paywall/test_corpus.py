"""Real publishers' pages: declarations, false alarms and robustness.

``../shared/corpus/fundus`` holds 257 articles from 180 publishers, full of
subscription chrome, all complete but four walled ones
(``benchmarks/paywall/corpus.FUNDUS_WALLED``: three truncated, one soft): every
wall the detector finds on the others is a false alarm, and the test bounds them. Speed
is measured by ``python -m benchmarks.paywall``, not here. Skipped with a
reason where the shared corpus is absent, as in a user's clone.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from archiver.extraction import extract_article
from archiver.page import CapturedPage
from archiver.paywall import detect_paywall
from benchmarks.paywall.corpus import FUNDUS_TRUNCATED, FUNDUS_WALLED

CLOSED = {"paywalled", "metered", "registration"}
# Of the 253 complete articles, how many may be flagged (each one listed on
# failure). Since session 5 fundus' pages train the model (fit.py), so this is
# in-sample: a bound against regression, not the measure. The shipped model
# flags none of them, and none out-of-fold (the benchmark prints that beside its
# headline); the bound is the largest out-of-fold count of session 5's fits (1,
# Nature's access wall; 3 in session 4, when fundus did not train the model).
# See benchmarks/paywall/README.md.
MAX_FALSE_ALARMS = 1


def test_fundus_declarations_truncation_and_false_alarms(fundus: Path):
    agree = total = 0
    truncated: set[str] = set()
    false_alarms: list[str] = []
    full_text_declared_truncated: list[str] = []
    for line in (fundus / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        label = json.loads(line)
        page = CapturedPage(label["url"], gzip.decompress((fundus / label["file"]).read_bytes()))
        verdict = detect_paywall(page, extract_article(page))
        total += 1
        agree += (verdict.declared in CLOSED) == (not label["free_access"])
        if verdict.detected and label["file"] not in FUNDUS_WALLED:
            false_alarms.append(f"{label['file']}: {verdict.kind}")
        if verdict.truncated:
            truncated.add(label["file"])
            if verdict.declared == "paywalled" and not verdict.detected:
                full_text_declared_truncated.append(label["file"])
    assert total == 257
    assert agree / total >= 0.97
    assert truncated >= FUNDUS_TRUNCATED
    assert not full_text_declared_truncated
    assert len(false_alarms) <= MAX_FALSE_ALARMS, false_alarms
