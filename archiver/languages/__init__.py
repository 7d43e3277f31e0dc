"""What the archiver knows about each language, one data file per language.

``archiver/languages/<code>.yaml`` holds, for one language (adding a language
is adding a file; a test checks every file has every section):

* ``prompts``: paywall and login-wall phrases by category, matched lower-cased
  on the page text (``archiver/paywall/prompts.py``):

  - ``remaining``: says outright that the rest of this article is withheld;
  - ``continue``: asks the reader to pay or log in to go on reading;
  - ``registration``: asks for a free account to go on reading;
  - ``price``: a subscription price;
  - ``offer``: a subscription pitch or login link, common on free pages too.

  Template syntax (``archiver/paywall/patterns.py``): ``{n}`` a number,
  ``{price}`` an amount with a currency, ``{word}`` one word, ``{...}`` up to
  eight words;
* ``wall_urls``: words of the URL paths of ``registration`` (a free account),
  ``paid`` (subscribe, offers, plans) and ``login`` pages, as the language's
  sites spell them: a link to the first says the wall asks for an account, to
  the second for a payment, to the third neither (every kind of wall has one);
* ``currencies``: currency symbols and abbreviations written with prices;
* ``hub_words``: URL path segments of hub pages (tags, authors, sections)
  that the discovery never takes for articles.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from archiver.yamlfiles import load_yaml

LANGUAGES_DIR = Path(__file__).parent
SECTIONS = ("prompts", "wall_urls", "currencies", "hub_words")
PROMPT_CATEGORIES = ("remaining", "continue", "registration", "price", "offer")
WALL_URL_KINDS = ("registration", "paid", "login")


@cache
def languages() -> tuple[dict[str, Any], ...]:
    """Every language file, sorted by language code, read once per process."""
    found = []
    for path in sorted(LANGUAGES_DIR.glob("*.yaml")):
        with path.open(encoding="utf-8") as handle:
            found.append(load_yaml(handle))
    return tuple(found)


def words(section: str, key: str | None = None) -> list[str]:
    """One section's entries (or one key of it) over every language, in order."""
    found: list[str] = []
    for language in languages():
        entries = language[section]
        found.extend((entries.get(key) if key else entries) or [])
    return found
