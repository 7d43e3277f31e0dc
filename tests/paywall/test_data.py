"""The rule files: a language or a vendor is added by a file or an entry, so
each must load and say only what the code understands."""

from __future__ import annotations

import pytest

from archiver.paywall.data import DATA_DIR, load, prompt_files
from archiver.paywall.patterns import PLACEHOLDERS
from archiver.paywall.prompts import CATEGORIES

REQUIRED_LANGUAGES = {"en", "fr", "de", "es", "pt", "it", "nl", "pl", "sv", "no", "da", "fi",
                      "ar", "ja"}


def test_every_required_language_has_a_prompt_file():
    assert {str(language["language"]) for language in prompt_files()} >= REQUIRED_LANGUAGES


@pytest.mark.parametrize("language", prompt_files(), ids=lambda data: str(data["language"]))
def test_prompt_files_hold_only_known_categories_of_phrases(language):
    assert set(language) - {"language"} <= set(CATEGORIES)
    for category in CATEGORIES:
        for phrase in language.get(category) or []:
            assert isinstance(phrase, str) and phrase.strip(), (category, phrase)
            assert not phrase.startswith(("{word}", "{...}")), (
                f"{phrase!r}: a phrase opening with a wildcard is tried at every position")
            for token in ("{", "}"):
                if token in phrase:
                    assert any(p in phrase for p in PLACEHOLDERS), phrase


def test_weights_name_every_signal_the_scoring_groups_use():
    weights = load("weights")
    known = set(weights["signals"]) | {f"prompt.{name}" for name in weights["prompts"]}
    for group in weights["groups"].values():
        assert set(group["signals"]) <= known
    for key in ("soft", "registration", "truncating", "teaser"):
        assert set(weights[key]) <= known, key


def test_vendor_entries_have_a_name_and_only_known_traces():
    for key, entry in load("vendors").items():
        assert entry["name"], key
        assert set(entry) <= {"name", "scripts", "globals", "classes", "cookies"}, key


def test_data_files_sit_directly_in_the_package_data_folder():
    """``pyproject.toml`` ships ``paywall/data/*``: no sub-folders."""
    assert not [path for path in DATA_DIR.iterdir() if path.is_dir()]
