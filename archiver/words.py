"""How many words a text holds, counted as publishers count them, in every script.

Chinese and Japanese are written without spaces between words, so counting by
spaces gives a whole Japanese article ten "words". Publishers and style guides
count those scripts by character instead (a 2,000-character article), so each
Han or kana character counts as one word here, and any other run of
non-space characters as one. Item word counts, trafilatura's full-mode retry
(:mod:`archiver.extraction`) and the paywall signals all count with this.
"""

from __future__ import annotations

import re

_CJK = "\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff"
"""Kana, the CJK unified ideographs (extension A on) and the compatibility ideographs."""
_WORD = re.compile(rf"[{_CJK}]|[^\s{_CJK}]+")
_CJK_CHARACTER = re.compile(rf"[{_CJK}]")


def count_words(text: str) -> int:
    """Words in ``text``; each CJK character counts as one, as publishers count them."""
    return len(_WORD.findall(text))


def cjk_characters(text: str) -> int:
    """How many of ``text``'s words (:func:`count_words`) are CJK characters."""
    return len(_CJK_CHARACTER.findall(text))
