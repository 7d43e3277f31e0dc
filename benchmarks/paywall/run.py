"""Measure the paywall detector on every labelled corpus we have.

``python -m benchmarks.paywall [--corpus NAME] [--repeat N]`` reports, per
corpus: precision, recall and F1 for ``detected`` and ``truncated``, accuracy
of ``kind`` and ``declared``, every miss, and speed (pages per second, median
ms per page) for detection alone and for extraction plus detection. Times are
CPU time of one thread (one core), so other work on the machine does not
inflate them; the page is parsed before timing, as the crawl parses it once.

Corpora:

* ``fundus``: ``../shared/corpus/fundus`` (skipped when absent). Its labels give
  the publisher's declaration (``free_access``) and three known truncated
  pages; every other page is taken as complete and not gated, since fundus
  kept complete articles. ``declared`` agrees with ``free_access`` when
  ``free_access`` is false exactly where ``declared`` is ``paywalled``,
  ``metered`` or ``registration``.
* ``tuning``: ``tests/paywall/fixtures/tuning``, the hand-made pages the rules
  were tuned on.
* ``unseen``: ``benchmarks/paywall/unseen``, hand-made pages written apart from
  the tuning set and never tuned on: the honest measure of generalisation.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archiver.extraction import extract_article
from archiver.page import CapturedPage
from archiver.paywall import detect_paywall

ROOT = Path(__file__).resolve().parents[2]
FUNDUS = ROOT.parent / "shared" / "corpus" / "fundus"
HAND_MADE = {
    "tuning": ROOT / "tests" / "paywall" / "fixtures" / "tuning",
    "unseen": ROOT / "benchmarks" / "paywall" / "unseen",
}
FUNDUS_TRUNCATED = {
    "fr/LeMonde_2023_09_01.html.gz",
    "pl/Rzeczpospolita_2025_02_02.html.gz",
    "jp/ChunichiShimbun_2025_01_13.html.gz",
}
CLOSED = {"paywalled", "metered", "registration"}
TYPICAL_BYTES = (100_000, 300_000)


@dataclass
class Case:
    """One labelled page; a label of ``None`` is not scored."""

    name: str
    page: CapturedPage
    expected: dict[str, Any]


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, predicted: bool, actual: bool) -> None:
        self.tp += predicted and actual
        self.fp += predicted and not actual
        self.fn += actual and not predicted

    def line(self, name: str) -> str:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return (f"{name:<10} precision {precision:.3f}  recall {recall:.3f}  F1 {f1:.3f}"
                f"  (tp {self.tp}, fp {self.fp}, fn {self.fn})")


@dataclass
class Report:
    corpus: str
    pages: int = 0
    detected: Counts = field(default_factory=Counts)
    truncated: Counts = field(default_factory=Counts)
    kind_right: int = 0
    declared_right: int = 0
    declared_scored: int = 0
    misses: list[str] = field(default_factory=list)
    detect_ms: list[float] = field(default_factory=list)
    typical_ms: list[float] = field(default_factory=list)
    """Detection times of the pages of 100-300 KB, the issue's typical article."""
    total_ms: list[float] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)


def _fundus_cases() -> Iterator[Case]:
    for line in (FUNDUS / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        label = json.loads(line)
        body = gzip.decompress((FUNDUS / label["file"]).read_bytes())
        truncated = label["file"] in FUNDUS_TRUNCATED
        yield Case(label["file"], CapturedPage(label["url"], body), {
            "detected": truncated, "truncated": truncated, "kind": None,
            "declared_closed": not label["free_access"],
        })


def _hand_made_cases(directory: Path) -> Iterator[Case]:
    for line in (directory / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        label = json.loads(line)
        page = CapturedPage(label["url"], (directory / label["file"]).read_bytes(),
                            status=label.get("status", 200), headers=label.get("headers", {}))
        yield Case(label["file"], page, label)


def corpora() -> dict[str, Iterator[Case]]:
    found: dict[str, Iterator[Case]] = {}
    if (FUNDUS / "labels.jsonl").exists():
        found["fundus"] = _fundus_cases()
    for name, directory in HAND_MADE.items():
        if (directory / "labels.jsonl").exists():
            found[name] = _hand_made_cases(directory)
    return found


def _score(report: Report, case: Case, verdict: dict[str, Any]) -> None:
    expected = case.expected
    report.detected.add(verdict["detected"], expected["detected"])
    report.truncated.add(verdict["truncated"], expected["truncated"])
    wrong = [key for key in ("detected", "truncated") if verdict[key] != expected[key]]
    if "declared_closed" in expected:
        report.declared_scored += 1
        if (verdict["declared"] in CLOSED) == expected["declared_closed"]:
            report.declared_right += 1
        else:
            wrong.append("declared")
        report.kind_right += verdict["kind"] == expected["kind"] or not expected["detected"]
    else:
        report.declared_scored += 1
        report.declared_right += verdict["declared"] == expected["declared"]
        report.kind_right += verdict["kind"] == expected["kind"]
        wrong += [key for key in ("kind", "declared") if verdict[key] != expected[key]]
    if wrong:
        got = {key: verdict[key] for key in ("detected", "kind", "truncated", "declared")}
        want = {key: expected.get(key) for key in ("detected", "kind", "truncated", "declared",
                                                  "declared_closed") if key in expected}
        top = "; ".join(f"{s['name']} {s['weight']}: {s['evidence'][:90]}"
                        for s in verdict["signals"] if s["weight"] > 0)[:400]
        report.misses.append(f"{case.name}: wrong {', '.join(sorted(set(wrong)))}\n"
                             f"      got {got}\n      want {want}\n      signals: {top or 'none'}")


def run_corpus(name: str, cases: Iterator[Case], repeat: int) -> Report:
    report = Report(name)
    for case in cases:
        report.pages += 1
        try:
            case.page.tree  # noqa: B018 - parse outside the timings: the crawl parses once anyway
            parsed = time.thread_time()
            article = extract_article(case.page)
            extracted = time.thread_time()
            verdict = detect_paywall(case.page, article)
            timings = [time.thread_time() - extracted]
            for _ in range(repeat - 1):
                again = time.thread_time()
                detect_paywall(case.page, article)
                timings.append(time.thread_time() - again)
        except Exception as error:  # a crash is a finding, not the end of the run
            report.crashes.append(f"{case.name}: {type(error).__name__}: {error}")
            continue
        detect = min(timings)
        report.detect_ms.append(detect * 1000)
        if TYPICAL_BYTES[0] <= len(case.page.body) <= TYPICAL_BYTES[1]:
            report.typical_ms.append(detect * 1000)
        report.total_ms.append((extracted - parsed + detect) * 1000)
        _score(report, case, verdict.to_dict())
    return report


def render(report: Report) -> str:
    lines = [f"## {report.corpus}: {report.pages} pages", report.detected.line("detected"),
             report.truncated.line("truncated")]
    if report.pages:
        lines.append(f"kind       accuracy {report.kind_right / report.pages:.3f}")
    if report.declared_scored:
        lines.append(f"declared   accuracy {report.declared_right / report.declared_scored:.3f}"
                     f" ({report.declared_right}/{report.declared_scored})")
    for label, values in (("detection", report.detect_ms),
                          ("extraction+detection", report.total_ms)):
        if values:
            median = statistics.median(values)
            rate = len(values) / (sum(values) / 1000)
            lines.append(f"speed      {label}: median {median:.1f} ms/page, "
                         f"p90 {sorted(values)[int(len(values) * 0.9)]:.1f} ms, "
                         f"{rate:.0f} pages/s")
    if report.typical_ms:
        lines.append(f"speed      detection, 100-300 KB pages: median "
                     f"{statistics.median(report.typical_ms):.1f} ms/page "
                     f"({len(report.typical_ms)} pages)")
    lines.append(f"crashes    {len(report.crashes)}")
    lines += [f"  {crash}" for crash in report.crashes]
    lines.append(f"misses     {len(report.misses)}")
    lines += [f"  {miss}" for miss in report.misses]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.paywall", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", action="append", help="only this corpus (repeatable)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="time detection this many times per page, keep the fastest")
    args = parser.parse_args(argv)
    available = corpora()
    if not (FUNDUS / "labels.jsonl").exists():
        print(f"(fundus corpus not found at {FUNDUS}: skipped)")
    for name, cases in available.items():
        if args.corpus and name not in args.corpus:
            continue
        print(render(run_corpus(name, cases, max(args.repeat, 1))), "\n", sep="")
    return 0
