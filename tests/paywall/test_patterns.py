"""The phrase finders: the price finder, which tries only the places before digits,
finds what a scan of its regex over the whole text finds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from archiver.languages import words
from archiver.paywall.patterns import Finder, finders

PHRASES = ["{price} per month", "only {price} a week", "{n}% of this article", "subscribe now"]


def _price_finder() -> Finder:
    return next(finder for finder in finders(PHRASES) if finder.reach is not None)


def test_only_the_price_phrases_are_searched_near_digits():
    assert sum(finder.reach is not None for finder in finders(PHRASES)) == 1
    # the longest currency ("naira", "تومان"), then a space, before the amount's first digit
    assert _price_finder().reach == 1 + max(len(unit.strip()) for unit in words("currencies"))


def test_price_finder_finds_currency_first_amount_first_and_mid_word_starts():
    text = ("neur 5 per month; 12,99 € per month €3 per month. 2024 usd\n4 per month "
            "5eur per month and 10 zł per month, naira 9 per month 1 2 3")
    finder = _price_finder()
    found = [(match.start(), match.group()) for match in finder.finditer(text)]
    # "eur" inside "neur" is found as the scan finds it (the caller's whole-word rule drops it)
    assert [group for _, group in found] == ["eur 5 per month", "12,99 € per month",
                                             "€3 per month", "usd\n4 per month",
                                             "5eur per month", "10 zł per month",
                                             "naira 9 per month"]
    assert found == [(match.start(), match.group()) for match in finder.pattern.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789 ,.\n€$eurusdnairzł per month", max_size=80))
def test_price_finder_matches_the_whole_text_scan(text):
    finder = _price_finder()
    assert ([(m.span(), m.group()) for m in finder.finditer(text)]
            == [(m.span(), m.group()) for m in finder.pattern.finditer(text)])
