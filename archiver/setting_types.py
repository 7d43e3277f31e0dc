"""What each setting accepts, checked before a crawl starts: one line per bad value.

The one table of ``ARCHIVER_*`` settings is :data:`archiver.addon.DEFAULTS`. A
plain default there declares its type too: ``True`` a boolean, ``1024`` an
integer, ``0.5`` a number, ``"x"`` text. Where the default cannot say it (it is
``None``, or the value has a range or a format), the entry is a
:class:`Setting`: ``Setting(None, optional(integer(minimum=0)))`` or
``Setting("0", "archiver.catalog.recrawl.parse_revisit_after")`` (a dotted name
is a parser the component itself uses, loaded only when checking).

Scrapy's own settings given with ``-s`` are checked against the type of their
default in :mod:`scrapy.settings.default_settings` (``DOWNLOAD_DELAY=slow``);
names Scrapy does not know are left to the project that defines them, except
``ARCHIVER_*`` names, which must be in the table (with a "did you mean").
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Check = Callable[[Any], object]
"""Returns the parsed value or raises ValueError saying what is expected."""

PREFIX = "ARCHIVER_"
TRUE_WORDS = ("1", "true", "True")
FALSE_WORDS = ("0", "false", "False")


@dataclass(frozen=True)
class Setting:
    """A default with what the setting accepts, where the default alone does not say."""

    default: object
    check: Check | str
    """A check, or the dotted name of the component's own parser."""

    def checker(self) -> Check:
        if isinstance(self.check, str):
            from scrapy.utils.misc import load_object

            return load_object(self.check)
        return self.check


def default_of(entry: object) -> object:
    """The default of a :data:`~archiver.addon.DEFAULTS` entry."""
    return entry.default if isinstance(entry, Setting) else entry


def boolean(value: Any) -> bool:
    # the spellings Scrapy's BaseSettings.getbool accepts
    if isinstance(value, bool) or value in (0, 1):
        return bool(value)
    if value in TRUE_WORDS or value in FALSE_WORDS:
        return value in TRUE_WORDS
    raise ValueError("expected True or False (or 1 / 0)")


def _bounded(parse: Callable[[Any], float], kind: str, minimum: float | None) -> Check:
    def check(value: Any) -> float:
        if isinstance(value, bool):
            raise ValueError(f"expected {kind}")
        try:
            number = parse(value)
        except (TypeError, ValueError):
            raise ValueError(f"expected {kind}" + (f" >= {minimum:g}" if minimum is not None
                                                   else "")) from None
        if minimum is not None and number < minimum:
            raise ValueError(f"expected {kind} >= {minimum:g}")
        return number

    return check


def integer(minimum: int | None = None) -> Check:
    """A whole number (``"1024"`` or ``1024``), at least ``minimum``."""
    return _bounded(int, "a whole number", minimum)


def number(minimum: float | None = None) -> Check:
    """A number (``"0.5"``), at least ``minimum``."""
    return _bounded(float, "a number", minimum)


def text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("expected text")
    return value


def optional(check: Check) -> Check:
    """``check``, or nothing (``None`` or an empty value: the component's own default)."""
    def maybe(value: Any) -> object:
        return None if value is None or value == "" else check(value)

    return maybe


def structured(kind: type) -> Check:
    """A dict or list setting: the object itself or its JSON (as Scrapy's getdict/getlist)."""
    def check(value: Any) -> object:
        if isinstance(value, kind | None):
            return value
        if isinstance(value, str):
            if kind is list and not value.lstrip().startswith("["):
                return value.split(",")  # getlist's comma-separated form
            try:
                parsed = json.loads(value)
            except ValueError:
                parsed = None
            if isinstance(parsed, kind):
                return parsed
        raise ValueError(f"expected a JSON {'object' if kind is dict else 'list'}")

    return check


def inferred(default: object) -> Check | None:
    """The check a plain default implies; ``None`` where it implies nothing."""
    if isinstance(default, bool):
        return boolean
    if isinstance(default, int):
        return integer()
    if isinstance(default, float):
        return number()
    if isinstance(default, str):
        return text
    if isinstance(default, dict | list | tuple):
        return structured(dict if isinstance(default, dict) else list)
    return None


def archiver_check(entry: object) -> Check | None:
    return entry.checker() if isinstance(entry, Setting) else inferred(entry)


def scrapy_check(name: str) -> Check | None:
    from scrapy.settings import default_settings

    if not hasattr(default_settings, name) or not name.isupper():
        return None
    default = getattr(default_settings, name)
    if name.endswith("_ENABLED") and default in (0, 1):
        # read with getbool whatever the default's type (TELNETCONSOLE_ENABLED = 1)
        return boolean
    if isinstance(default, int | float) and not isinstance(default, bool):
        # Scrapy reads some int-defaulted settings with getfloat (DOWNLOAD_DELAY = 0).
        return number()
    return inferred(default)


def setting_problems(values: Mapping[str, Any], table: Mapping[str, object]) -> list[str]:
    """One line per value that cannot be used: ``NAME=VALUE: what is expected``.

    ``values`` are the settings to check (``-s`` overrides, a project's
    ``ARCHIVER_*`` settings); ``table`` is :data:`archiver.addon.DEFAULTS`.
    """
    problems = []
    for name, value in values.items():
        if name.startswith(PREFIX) and name not in table:
            close = difflib.get_close_matches(name, list(table), n=1, cutoff=0.7)
            hint = f"; did you mean {close[0]}?" if close else (
                "; see the README's settings table")
            problems.append(f"{name}: no such setting{hint}")
            continue
        check = archiver_check(table[name]) if name in table else scrapy_check(name)
        if check is None:
            continue
        try:
            check(value)
        except ValueError as error:
            reason = str(error)
            problems.append(reason if reason.startswith(name) else f"{name}={value!r}: {reason}")
    return problems
