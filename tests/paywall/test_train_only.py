"""Training-only real pages train the model and are never scored.

Walls of sites that already have their three scored pages are labelled with
``"role": "train-only"``: they must never reach a figure (neither the
in-sample scoring of the real corpus nor the cross-validated headline), and a
held-out site's training-only pages must leave the training set with it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archiver.paywall.data import load
from benchmarks.paywall import corpus, fit


def _label(file: str, site: str, walled: bool, **extra: str) -> dict[str, object]:
    return {"file": file, "url": f"https://{site}/{file}", "site": site, "language": "en",
            "group": "en", "label": "walled" if walled else "free",
            "kind": "hard" if walled else None, "split": "tuning", **extra}


@pytest.fixture
def labels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    written = [_label("a.html.gz", "a.example", True),
               _label("b.html.gz", "b.example", False),
               _label("c.html.gz", "a.example", True, role=corpus.TRAIN_ONLY)]
    path = tmp_path / "labels.jsonl"
    path.write_text("".join(json.dumps(label) + "\n" for label in written), encoding="utf-8")
    monkeypatch.setattr(corpus, "REAL_LABELS", path)
    return written


def test_train_only_labels_are_not_the_scored_real_corpus(labels):
    assert [label["file"] for label in corpus.real_labels()] == ["a.html.gz", "b.html.gz"]
    assert [label["file"] for label in corpus.real_labels(batch=1)] == ["a.html.gz", "b.html.gz"]
    assert [label["file"] for label in corpus.train_only_labels()] == ["c.html.gz"]


def _row(name: str, site: str, walled: bool, real: bool, role: str = "scored") -> fit.Row:
    values = {"truncation.short_text": 0.25} if walled else {}
    return fit.Row(name, {"detected": walled, "kind": "hard" if walled else None},
                   {"site": site, "role": role}, values, walled, real)


def test_a_train_only_row_is_never_judged_and_leaves_training_with_its_site():
    scored = [_row(f"{n}", f"site{n}.example", n % 4 == 0, True) for n in range(40)]
    extra = _row("extra", "site0.example", True, False, corpus.TRAIN_ONLY)
    judged = fit.cross_validate([*scored, extra])
    assert len(judged) == len(scored)
    assert all(row is not extra for row, _, _ in judged)
    own = fit._fold("site0.example", fit.FOLDS, "outer")
    for fold, (train, held) in enumerate(fit._grouped([*scored, extra], fit.FOLDS, "outer")):
        assert extra not in held
        assert (extra in train) == (fold != own)


def test_a_train_only_page_weighs_less_than_a_scored_one():
    rows = [_row("a", "a.example", False, True), _row("b", "b.example", False, False,
                                                      corpus.TRAIN_ONLY)]
    assert fit._weights(rows, 1.0) == [1.0, fit.TRAIN_ONLY_SHARE]


def test_the_shipped_model_counts_its_train_only_pages_apart():
    fitted_on = load("weights")["model"]["fitted_on"]
    train_only = corpus.train_only_labels()
    assert fitted_on["train_only_pages"] == len(train_only)
    assert fitted_on["train_only_walled"] == sum(label["label"] == "walled"
                                                 for label in train_only)
    assert fitted_on["real_pages"] == len(corpus.real_labels())
