"""Measure the paywall detector on every labelled corpus we have.

``python -m benchmarks.paywall [--corpus NAME] [--repeat N]`` reports, per
corpus (and first, for the real corpus, the verdicts of models that never saw
the page's site: the headline, cross-validated by site, see ``fit.py``):
precision, recall and F1 of ``detected`` (overall, per language group,
per language and per split), accuracy of ``kind`` on the walled pages whose
label defines it, ``truncated`` and ``declared`` where the labels give them,
every miss with its signals (those of the real corpus's ``test`` split are
only counted: that split is scored, never read), and speed (median ms per
page) for detection alone and for extraction plus detection. Times are CPU time
of one thread, the page parsed before timing, as the crawl parses it once.

The figure that says how the detector does on pages nobody tuned for is the
``real`` corpus's cross-validated one (see ``corpus.py`` and ``README.md``); the
``real`` corpus scored by the shipped model is in-sample (it was fitted on those
pages) and printed only for reference; ``tuning`` and ``unseen`` are regression
corpora whose misses were fixed after their first runs. A crash on any page is
a finding and makes the command exit 1; so does a shipped model that the
training set no longer reproduces (the run fits it again and compares).
Pages are parsed one at a time and freed once scored: what is kept of each
is its label and signal values (``fit.Row``).

``python -m benchmarks.paywall --batch N`` scores only the real pages of labelling
batch N with the shipped model and skips the cross-validation: run once as soon as
a batch is labelled, before any rule or fit has seen it, it is that batch's first
run (README.md keeps each one).

``python -m benchmarks.paywall fit`` fits the model on its training set (``fit.py``)
and writes its coefficients into ``archiver/paywall/data/weights.yaml``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from archiver.extraction import extract_article
from archiver.paywall import detect_paywall
from archiver.paywall.data import load
from archiver.paywall.scoring import probability, strongest
from benchmarks.paywall import fit
from benchmarks.paywall.corpus import (
    FUNDUS,
    HAND_MADE,
    Case,
    available,
    fundus_cases,
    hand_made_cases,
    real_cases,
    train_only_labels,
)
from benchmarks.paywall.synthetic import synthetic_cases

CLOSED = {"paywalled", "metered", "registration"}
SCORED = ("real", "fundus")
"""The corpora of real pages: held out by site in the cross-validation."""
TYPICAL_BYTES = (100_000, 300_000)


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, predicted: bool, actual: bool) -> None:
        self.tp += predicted and actual
        self.fp += predicted and not actual
        self.fn += actual and not predicted
        self.tn += not actual and not predicted

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def line(self, name: str) -> str:
        p, r = self.precision, self.recall
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        return (f"{name:<24} P {p:.3f}  R {r:.3f}  F1 {f1:.3f}  (tp {self.tp}, fp {self.fp}, "
                f"fn {self.fn}, tn {self.tn})")


@dataclass
class Report:
    corpus: str
    pages: int = 0
    detected: Counts = field(default_factory=Counts)
    by_key: dict[str, dict[str, Counts]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(Counts)))
    truncated: Counts = field(default_factory=Counts)
    kind_right: int = 0
    kind_scored: int = 0
    declared_right: int = 0
    declared_scored: int = 0
    misses: list[str] = field(default_factory=list)
    unread: int = 0
    """Misses on the real corpus's ``test`` split: counted, never listed, so
    that nobody changes a rule after reading one (README: the frozen split)."""
    detect_ms: list[float] = field(default_factory=list)
    typical_ms: list[float] = field(default_factory=list)
    """Detection times of the pages of 100-300 KB, a typical article page."""
    total_ms: list[float] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)
    rows: list[fit.Row] = field(default_factory=list)
    """Every page's model inputs, for the cross-validation."""


def score(report: Report, case: Case | fit.Row, verdict: dict[str, Any]) -> None:
    """Count one verdict against its label; ``kind``, ``truncated`` and
    ``declared`` only where the label defines them."""
    expected = case.expected
    report.detected.add(verdict["detected"], expected["detected"])
    for key in ("group", "language", "split", "batch"):
        report.by_key[key][str(case.meta.get(key))].add(verdict["detected"], expected["detected"])
    wrong = ["detected"] if verdict["detected"] != expected["detected"] else []
    if expected["detected"] and verdict["detected"] and expected.get("kind"):
        report.kind_scored += 1
        report.kind_right += verdict["kind"] == expected["kind"]
        wrong += ["kind"] if verdict["kind"] != expected["kind"] else []
    if "truncated" in expected:
        report.truncated.add(verdict["truncated"], expected["truncated"])
        wrong += ["truncated"] if verdict["truncated"] != expected["truncated"] else []
    if "declared_closed" in expected or "declared" in expected:
        report.declared_scored += 1
        if "declared_closed" in expected:
            right = (verdict["declared"] in CLOSED) == expected["declared_closed"]
        else:
            right = verdict["declared"] == expected["declared"]
        report.declared_right += right
        wrong += [] if right else ["declared"]
    if wrong and case.meta.get("split") == "test":
        report.unread += 1
    elif wrong:
        got = {key: verdict[key] for key in ("detected", "kind", "truncated", "declared")}
        top = "; ".join(f"{s['name']} {s['weight']}: {s['evidence'][:80]}"
                        for s in verdict["signals"] if s["weight"] > 0)[:400]
        where = f"{case.meta.get('language')}, {case.meta.get('site')}"
        report.misses.append(f"{case.name} ({where}): wrong {', '.join(wrong)}\n"
                             f"      got {got}\n      want {expected}\n"
                             f"      signals: {top or 'none'}")


def run_corpus(name: str, cases: Iterable[Case], repeat: int) -> Report:
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
        except Exception as error:  # a crash is a finding: listed, and the run exits 1
            report.crashes.append(f"{case.name}: {type(error).__name__}: {error}")
            continue
        detect = min(timings)
        report.detect_ms.append(detect * 1000)
        if TYPICAL_BYTES[0] <= len(case.page.body) <= TYPICAL_BYTES[1]:
            report.typical_ms.append(detect * 1000)
        report.total_ms.append((extracted - parsed + detect) * 1000)
        score(report, case, verdict.to_dict())
        report.rows.append(fit.Row.of(case, strongest(verdict.signals), name in SCORED))
    return report


def cross_validated(scored: list[fit.Row], training: list[fit.Row]) -> tuple[Report, Report]:
    """The real corpus's verdicts, and fundus', from models that never saw the
    page's site: the headline, and fundus' out-of-fold false alarms."""
    judged = fit.cross_validate(scored + training)
    per_fold = {fit._fold(str(row.meta["site"]), fit.FOLDS, "outer"): settings
                for row, _, settings in judged}
    chosen = [f"balance {s.balance}, C {s.C}, threshold {s.threshold} in {n} of {len(per_fold)}"
              for s, n in Counter(per_fold.values()).most_common()]
    report = Report(f"real, cross-validated by site ({fit.FOLDS} folds of sites, settings "
                    f"chosen in each by {fit.INNER_FOLDS} inner folds drawn "
                    f"{fit.INNER_REPEATS} times: {'; '.join(chosen)}): the headline")
    fundus = Report("fundus, cross-validated by site (the same folds; its pages train the "
                    "models of the other folds)")
    for row, chance, settings in judged:
        into = fundus if fit.is_fundus(row) else report
        into.pages += 1
        # the model says nothing of the declaration: fundus' `declared` is scored in-sample
        expected = {k: v for k, v in row.expected.items() if not k.startswith("declared")}
        score(into, replace(row, expected=expected),
              fit.as_verdict(row, chance, settings.threshold))
    return report, fundus


def render(report: Report) -> str:
    lines = [f"## {report.corpus}: {report.pages} pages", report.detected.line("detected")]
    for key in ("split", "batch", "group", "language"):
        rows = report.by_key.get(key, {})
        if len(rows) > 1:
            lines += [counts.line(f"  {key} {value}")
                      for value, counts in sorted(rows.items(), key=lambda kv: -sum(
                          (kv[1].tp, kv[1].fn, kv[1].fp, kv[1].tn)))]
    if report.kind_scored:
        lines.append(f"kind                     {report.kind_right / report.kind_scored:.3f}"
                     f" ({report.kind_right}/{report.kind_scored} detected walled pages)")
    if report.truncated.tp + report.truncated.fp + report.truncated.fn + report.truncated.tn:
        lines.append(report.truncated.line("truncated"))
    if report.declared_scored:
        share = report.declared_right / report.declared_scored
        lines.append(f"declared                 {share:.3f}"
                     f" ({report.declared_right}/{report.declared_scored})")
    for label, values in (("detection", report.detect_ms),
                          ("extraction+detection", report.total_ms)):
        if values:
            lines.append(f"speed {label}: median {statistics.median(values):.1f} ms/page, "
                         f"p90 {sorted(values)[int(len(values) * 0.9)]:.1f} ms")
    if report.typical_ms:
        lines.append(f"speed detection, 100-300 KB pages: median "
                     f"{statistics.median(report.typical_ms):.1f} ms ({len(report.typical_ms)})")
    lines.append(f"crashes    {len(report.crashes)}")
    lines += [f"  {crash}" for crash in report.crashes]
    lines.append(f"misses     {len(report.misses) + report.unread}")
    if report.unread:
        lines.append(f"  ({report.unread} on the test split: scored, not listed, never read)")
    lines += [f"  {miss}" for miss in report.misses]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.paywall", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", nargs="?", choices=("run", "fit"), default="run",
                        help="run: measure (default); fit: fit and write the model")
    parser.add_argument("--corpus", action="append", help="only this corpus (repeatable)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="time detection this many times per page, keep the fastest")
    parser.add_argument("--batch", type=int,
                        help="only the real corpus's pages of this labelling batch, scored by the "
                             "shipped model: the batch's first run (implies --corpus real)")
    args = parser.parse_args(argv)
    corpora, skipped = available(args.batch)
    if args.batch is not None:
        args.corpus = ["real"]
    for line in skipped:
        print(f"({line}: skipped)")
    if args.command == "fit":
        return _fit("real" in corpora and "fundus" in corpora)
    crashed = stale = False
    reports = {name: run_corpus(name, cases, max(args.repeat, 1))
               for name, cases in corpora.items() if not args.corpus or name in args.corpus}
    crashed = any(report.crashes for report in reports.values())
    if "real" in reports and args.batch is not None:
        reports["real"].corpus = (f"real, batch {args.batch} only, scored by the shipped "
                                  "model (a first run while no fit has seen the batch)")
    elif "real" in reports and "fundus" in corpora:
        # fundus' pages train every fold's model: with `--corpus real` they are read
        # (untimed, not reported in-sample) so that the headline is the same figure
        fundus = (reports["fundus"].rows if "fundus" in reports
                  else fit.rows(corpora["fundus"], real=True))
        scored = reports["real"].rows + fundus
        training = _training_rows()
        for report in cross_validated(scored, training):
            print(render(report), "\n", sep="")
        print(_synthetic_line(training), "\n", sep="")
        stale = _reproduced(scored + training)
        for name in SCORED:
            if name in reports:
                reports[name].corpus = (f"{name}, scored by the shipped model (in-sample: "
                                        "fitted on these pages)")
    elif "real" in reports:
        print(f"(no cross-validation: its models train on fundus' pages too, and fundus is not "
              f"at {FUNDUS}; the real corpus is scored in-sample only)\n")
    for report in reports.values():
        print(render(report), "\n", sep="", flush=True)
    return 1 if crashed or stale else 0


def _reproduced(data: list[fit.Row]) -> bool:
    """Fit the model again on the training set and compare it with the shipped
    one; print the differences and return whether there are any (the run then
    fails: a shipped model nobody can refit is not the one the figures describe)."""
    found = fit.differences(fit.fit(data), load("weights")["model"])
    if not found:
        print("## shipped model: reproduced by `python -m benchmarks.paywall fit` "
              "(same training set, same coefficients)\n")
        return False
    print("## shipped model: NOT what `python -m benchmarks.paywall fit` writes now:")
    print("\n".join(f"  {line}" for line in found[:20]), "\n", sep="")
    return True


def _training_rows() -> list[fit.Row]:
    """The hand-made pages, the real corpus's training-only pages and the
    synthetic walls: they train the model and are never scored."""
    return [row for directory in HAND_MADE.values()
            for row in fit.rows(hand_made_cases(directory), real=False)] + fit.rows(
                real_cases(train_only_labels()), real=False) + fit.rows(
                synthetic_cases(), real=False)


def _synthetic_line(training: list[fit.Row]) -> str:
    """How many synthetic walls of each kind the shipped model finds (they
    weigh ``fit.SYNTHETIC_SHARE`` in its fit; reported apart, never the headline)."""
    threshold = load("weights")["model"]["threshold"]
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in training:
        group = str(row.meta.get("group"))
        if group.startswith("synthetic-"):
            counts[group][0] += 1
            counts[group][1] += probability(row.values) >= threshold
    parts = ", ".join(f"{name[10:]} {found}/{made}" for name, (made, found) in sorted(
        counts.items()))
    return (f"## synthetic walls (never in the headline; weight {fit.SYNTHETIC_SHARE} in the "
            f"fit): {sum(made for made, _ in counts.values())} pages; found by the shipped "
            f"model: {parts}")


def _fit(have_corpora: bool) -> int:
    if not have_corpora:
        print("the real and the fundus corpora are needed to fit the model")
        return 1
    data = (fit.rows(real_cases(), real=True) + fit.rows(fundus_cases(), real=True)
            + _training_rows())
    model = fit.fit(data)
    path = fit.write(model)
    print(f"model fitted on {len(data)} pages ({sum(row.walled for row in data)} walled), "
          f"{len(model['coefficients'])} coefficients written to {path}")
    return 0
