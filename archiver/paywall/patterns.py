"""Many phrases, one regular expression.

The detector looks for hundreds of phrases in every page. Trying them one by
one (or an alternation of them) costs a pass per phrase; folding them into a
character trie makes one linear pass over the page text, whatever the count.

Phrases are written in a small template language so data files stay readable:
``{n}`` is a number (``57``, ``57.09``, ``1,5``), ``{word}`` any one word,
``{...}`` up to eight words, ``{price}`` an amount with a currency of any
language file (``archiver/languages/``), before or after it; a space
matches any run of whitespace and an apostrophe either the straight or the
typographic one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from archiver.languages import words

PLACEHOLDERS = {
    "{n}": r"\d+(?:[.,]\d+)?",
    "{word}": r"\S+",
    "{...}": r"(?:\S+\s+){0,8}?",
    "{price}": "",  # made from the currencies' trie below (:func:`_price`)
}
_TOKEN = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS) + r"|\s+|.", re.DOTALL)
_END = ""
_APOSTROPHES = "'\u2019"


def _tokens(phrase: str) -> list[str]:
    """A phrase split into trie keys: one per character, placeholder or space run.
    ``{...}`` takes the space after it, so it may also stand for no word at all."""
    tokens: list[str] = []
    for token in _TOKEN.findall(phrase.lower()):
        if token.isspace():
            if tokens and tokens[-1] == "{...}":
                continue
            token = " "
        tokens.append(token)
    return tokens


def _token_regex(token: str) -> str:
    if token in PLACEHOLDERS:
        return PLACEHOLDERS[token]
    if token == " ":
        return r"\s+"
    if token in _APOSTROPHES:
        return f"[{_APOSTROPHES}]"
    return re.escape(token)


def _trie_regex(node: dict[str, dict]) -> str:
    ending = _END in node
    branches = [_token_regex(key) + _trie_regex(child) for key, child in node.items() if key]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ending:
        return f"(?:{body})?"
    return body


def trie_pattern(phrases: Iterable[str]) -> str:
    """One regex source matching any of ``phrases`` (case folded by the caller's flags)."""
    root: dict[str, dict] = {}
    for phrase in phrases:
        node = root
        for token in _tokens(phrase.strip()):
            node = node.setdefault(token, {})
        node[_END] = {}
    return _trie_regex(root) or "(?!)"


def _price() -> str:
    """An amount with a currency written before or after it; a currency spelt
    with letters must not run on into a word ("eur" is not "europe").

    The currencies as a trie, not an alternation: at a position a letter could
    start a currency ("e" of "eur" and "euro"), an alternation tries all 62 in
    turn and a trie follows the one path the text allows, trying the longer
    currency first, then the shorter, as the alternation sorted longest first
    did (two currencies of one length cannot both match at one position): the
    same matches in the same order, the price finder 1.2 -> 0.9 ms a real page."""
    unit = f"(?:{trie_pattern(sorted({c.lower() for c in words('currencies')}))})"
    amount = PLACEHOLDERS["{n}"]
    return rf"(?:{unit}\s?{amount}|{amount}\s?{unit}(?![^\W\d_]))"


PLACEHOLDERS["{price}"] = _price()


# What a placeholder's match can start with: phrases that open with one are
# searched by their own regex behind this lookahead, which lets the engine skip
# ahead to candidate characters (mixed into the literal trie, they cost every
# position of the text a full try, several times slower).
_FIRST = {"{n}": r"\d", "{word}": r"\S", "{...}": r"\S",
          "{price}": "[\\d" + "".join(sorted({re.escape(c[0].lower())
                                            for c in words("currencies")})) + "]"}


# Phrases opening with a Latin letter match only at a word's start (the
# caller's whole-word rule): behind this lookbehind the engine drops a mid-word
# position at once instead of trying the trie's first branches there (3x faster
# on real pages), and a mid-word false start no longer swallows a real phrase
# that overlaps it (fundus' Le Monde page: five "réservé aux abonnés" found).
_WORD_START = "(?<![^\\W_])"


@dataclass(frozen=True)
class Finder:
    """One regex of :func:`finders`; for the phrases that open with a price,
    where a match can start too: at most ``reach`` characters before a digit
    (a currency of ``reach - 1`` characters and a space, then the amount; or
    the amount first). The engine cannot skip ahead to such places itself: the
    price regex tried the currencies' trie at every letter one starts with, 75
    ns a character of fundus' pages (0.80 of the 1.3 ms that prompts took a
    page); trying only the few places before digits took 0.28 ms and finds the
    same matches in the same order as the whole-text scan. (Phrases opening
    with ``{n}`` gain nothing so: their regex skips to digits as fast.)"""

    pattern: re.Pattern[str]
    reach: int | None = None

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """The matches ``pattern.finditer(text)`` gives (none can be empty)."""
        if self.reach is None:
            yield from self.pattern.finditer(text)
            return
        match_at, next_digit = self.pattern.match, _DIGIT.search
        start = 0  # every position before it is tried, or inside a match found
        while (digit := next_digit(text, start)) is not None:
            at = digit.start()
            for position in range(max(start, at - self.reach), at + 1):
                found = match_at(text, position)
                if found is not None:
                    yield found
                    start = found.end()
                    break
            else:
                start = at + 1


_DIGIT = re.compile(r"\d")


def _reach(key: str) -> int | None:
    """How far before a digit a match of the phrases opening with placeholder
    ``key`` can start: for ``{price}``, its longest currency and a space; else
    ``None`` (they are searched everywhere)."""
    if key != "{price}":
        return None
    units = [_tokens(currency.strip()) for currency in words("currencies")]
    if any(" " in unit for unit in units):  # a space token matches any run of spaces
        return None
    return max(map(len, units)) + 1


def finders(phrases: Iterable[str]) -> list[Finder]:
    """Finders that together find every phrase, for lower-cased text: one trie of
    the phrases opening with a Latin letter, one of those opening with another
    literal, one per placeholder that opens others."""
    groups: dict[str, list[str]] = {}
    for phrase in phrases:
        first = _tokens(phrase.strip())[:1]
        key = first[0] if first and first[0] in _FIRST else ""
        if not key and first and "a" <= first[0] <= "z":
            key = _WORD_START
        groups.setdefault(key, []).append(phrase)
    return [Finder(re.compile((_WORD_START if key == _WORD_START else f"(?={_FIRST[key]})"
                               if key else "") + trie_pattern(group)), _reach(key))
            for key, group in groups.items()]


def compile_groups(groups: dict[str, Iterable[str]]) -> re.Pattern[str]:
    """A case-insensitive regex with one named group per phrase list."""
    source = "|".join(f"(?P<{name}>{trie_pattern(phrases)})" for name, phrases in groups.items())
    return re.compile(source, re.IGNORECASE)
