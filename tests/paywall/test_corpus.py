"""Real publishers' pages: declarations, false alarms and robustness.

``../shared/corpus/fundus`` holds 257 complete articles (three known truncated
ones aside) from 180 publishers, full of subscription chrome: every wall the
detector finds on the others is a false alarm, and the test bounds them. Speed
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

KNOWN_TRUNCATED = {"fr/LeMonde_2023_09_01.html.gz", "pl/Rzeczpospolita_2025_02_02.html.gz",
                   "jp/ChunichiShimbun_2025_01_13.html.gz"}
CLOSED = {"paywalled", "metered", "registration"}
# Of the 254 complete articles, how many may be flagged (each one listed on
# failure): the shipped model flags 3 (Dec 2026, session 4: Börsen-Zeitung's and
# the Evening Standard's walls drawn over the whole text, Nature's access wall on
# a page trafilatura's fast mode cut); 6 in session 3, 13 for a fit of session 3's
# settings on every batch. A bound against regression, not the goal: see
# benchmarks/paywall/README.md.
MAX_FALSE_ALARMS = 3


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
        if verdict.detected and label["file"] not in KNOWN_TRUNCATED:
            false_alarms.append(f"{label['file']}: {verdict.kind}")
        if verdict.truncated:
            truncated.add(label["file"])
            if verdict.declared == "paywalled" and not verdict.detected:
                full_text_declared_truncated.append(label["file"])
    assert total == 257
    assert agree / total >= 0.97
    assert truncated >= KNOWN_TRUNCATED
    assert not full_text_declared_truncated
    assert len(false_alarms) <= MAX_FALSE_ALARMS, false_alarms
