"""The issue's targets on real publishers' pages (``../shared/corpus/fundus``).

Skipped with a reason where the shared corpus is absent, as in a user's clone.
"""

from __future__ import annotations

import gzip
import json
import statistics
import time
from pathlib import Path

from archiver.extraction import extract_article
from archiver.page import CapturedPage
from archiver.paywall import detect_paywall

KNOWN_TRUNCATED = {"fr/LeMonde_2023_09_01.html.gz", "pl/Rzeczpospolita_2025_02_02.html.gz",
                   "jp/ChunichiShimbun_2025_01_13.html.gz"}
CLOSED = {"paywalled", "metered", "registration"}
# CPU time of one thread; the bound is 15 ms, kept loose here
# so a busy CI machine does not fail it (the benchmark reports the real figure).
MEDIAN_MS_BOUND = 30.0


def test_fundus_declarations_truncation_speed_and_robustness(fundus: Path):
    agree = total = 0
    timings: list[float] = []
    truncated: set[str] = set()
    full_text_declared_truncated: list[str] = []
    for line in (fundus / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        label = json.loads(line)
        page = CapturedPage(label["url"], gzip.decompress((fundus / label["file"]).read_bytes()))
        article = extract_article(page)
        started = time.thread_time()
        verdict = detect_paywall(page, article)
        timings.append((time.thread_time() - started) * 1000)
        total += 1
        agree += (verdict.declared in CLOSED) == (not label["free_access"])
        if verdict.truncated:
            truncated.add(label["file"])
            if verdict.declared == "paywalled" and not verdict.detected:
                full_text_declared_truncated.append(label["file"])
    assert total == 257
    assert agree / total >= 0.97
    assert truncated >= KNOWN_TRUNCATED
    assert not full_text_declared_truncated
    assert statistics.median(timings) < MEDIAN_MS_BOUND
