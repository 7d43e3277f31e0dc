"""The rule files: a language or a vendor is added by a file or an entry, so
each must load and say only what the code understands."""

from __future__ import annotations

import pytest

from archiver.languages import (
    LANGUAGES_DIR,
    PROMPT_CATEGORIES,
    SECTIONS,
    WALL_URL_KINDS,
    languages,
)
from archiver.paywall.data import DATA_DIR, load
from archiver.paywall.patterns import PLACEHOLDERS
from benchmarks.paywall.corpus import FUNDUS, FUNDUS_WALLED, real_labels
from benchmarks.paywall.fit import fundus_hash, training_hashes
from benchmarks.paywall.synthetic import SEED

REGIONAL_LANGUAGES = {"hi", "bn", "ur", "fa", "id", "ms", "vi", "th", "sw", "ha", "am", "he",
                      "el", "hu", "ro", "uk", "bg", "hr", "sr", "sk", "sl", "lt", "lv", "et", "ca"}


def test_forty_languages_and_the_regional_ones_have_a_file():
    codes = {language["language"] for language in languages()}
    assert len(codes) >= 40
    assert codes >= REGIONAL_LANGUAGES | {"en", "fr", "de", "es", "pt", "ja", "ar"}


@pytest.mark.parametrize("language", languages(), ids=lambda data: data["language"])
def test_every_language_file_has_every_section(language):
    """Adding a language is adding one file, complete: a missing section would
    silently leave the language out of that rule."""
    path = LANGUAGES_DIR / f"{language['language']}.yaml"
    assert path.exists() and language["name"]
    assert set(language) == {"language", "name", *SECTIONS}
    assert set(language["prompts"]) == set(PROMPT_CATEGORIES)
    assert set(language["wall_urls"]) == set(WALL_URL_KINDS)
    for section in ("currencies", "hub_words"):
        assert isinstance(language[section], list), section
    assert any(language["prompts"][category] for category in ("remaining", "continue"))
    assert language["currencies"]


@pytest.mark.parametrize("language", languages(), ids=lambda data: data["language"])
def test_prompts_are_phrases_the_pattern_compiler_understands(language):
    for category in PROMPT_CATEGORIES:
        for phrase in language["prompts"][category] or []:
            assert isinstance(phrase, str) and phrase.strip(), (category, phrase)
            assert not phrase.startswith(("{word}", "{...}")), (
                f"{phrase!r}: a phrase opening with a wildcard is tried at every position")
            for token in ("{", "}"):
                if token in phrase:
                    assert any(p in phrase for p in PLACEHOLDERS), phrase


def test_weights_name_only_known_signals():
    weights = load("weights")
    known = set(weights["signals"]) | {f"prompt.{name}" for name in weights["prompts"]}
    for key in ("soft", "sent", "truncating", "teaser", "teaser_walls", "decisive"):
        assert set(weights[key]) <= known, key
    for key in ("account", "payment", "only"):
        assert set(weights["kind"][key]) <= known, key
    assert not set(weights["kind"]["only"]) & set(weights["model"]["coefficients"])
    assert set(weights["model"]["coefficients"]) <= known
    assert 0 < weights["model"]["threshold"] < 1


def test_vendor_entries_have_a_name_and_only_known_traces():
    for key, entry in load("vendors").items():
        assert entry["name"], key
        assert set(entry) <= {"name", "scripts", "globals", "classes", "cookies"}, key


def test_data_files_sit_directly_in_the_package_data_folder():
    """``pyproject.toml`` ships ``paywall/data/*``: no sub-folders."""
    assert not [path for path in DATA_DIR.iterdir() if path.is_dir()]


def test_shipped_model_names_the_training_set_it_was_fitted_on():
    """``weights.yaml`` records the SHA-1s of the real labels, fundus' labels and
    the hand-made pages and the synthetic walls' seed it was fitted on: a label or page
    changed since means the shipped model is not what ``python -m
    benchmarks.paywall fit`` writes (that command, run on the pages, refits it;
    the benchmark compares the coefficients)."""
    fitted_on = load("weights")["model"]["fitted_on"]
    assert {key: fitted_on[key] for key in ("labels_sha1", "hand_made_sha1")} == training_hashes()
    assert fitted_on["seed"] == SEED
    assert fitted_on["real_pages"] == len(real_labels())
    assert fitted_on["real_walled"] == sum(label["label"] == "walled" for label in real_labels())
    assert fitted_on["fundus_walled"] == len(FUNDUS_WALLED)
    if (FUNDUS / "labels.jsonl").exists():  # ../shared, absent from a user's clone
        assert fitted_on["fundus_sha1"] == fundus_hash()
