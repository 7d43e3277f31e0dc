"""What the publisher declares about access, read from its own markup.

The declaration is recorded apart from the capture's state because the two
often disagree: many pages declare ``isAccessibleForFree: false`` and still
carry the full text. It also yields the ``hasPart.cssSelector`` of the parts the
publisher says are gated, which :mod:`archiver.paywall.gates` checks against the
capture.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from archiver.paywall.data import load
from archiver.paywall.facts import PageFacts
from archiver.paywall.hints import PaywallHints
from archiver.paywall.verdict import Declared, Signal
from archiver.paywall.weights import signal, weighs

_FINER = ("metered", "registration")


@dataclass
class Declaration:
    """The publisher's claim, the markup it came from, and its gated parts."""

    value: Declared | None = None
    source: str = ""
    gated_selectors: list[str] = field(default_factory=list)


@cache
def _premium_url() -> re.Pattern[str]:
    return re.compile("|".join(load("declarations")["premium_url_markers"]), re.IGNORECASE)


def _free_flag(value: Any) -> bool | None:
    """``isAccessibleForFree`` as a bool, whatever its spelling; ``None`` if unknown."""
    if isinstance(value, bool):
        return value
    if isinstance(value, list):
        flags = [_free_flag(item) for item in value]
        return False if False in flags else (True if True in flags else None)
    if isinstance(value, str | int):
        text = str(value).strip().lower()
        rules = load("declarations")
        if text in rules["free_values"]:
            return True
        if text in rules["not_free_values"]:
            return False
    return None


def _listed(value: Any, kind: type) -> list[Any]:
    """A JSON-LD value that may be one item or a list, as a list of ``kind``."""
    if isinstance(value, kind):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, kind)]
    return []


def _schema_org(facts: PageFacts, found: Declaration) -> None:
    """isAccessibleForFree on JSON-LD objects, their hasPart, and microdata."""
    flags: list[tuple[bool, str]] = []
    for item in facts.page.json_ld:
        kind = item.get("@type")
        label = kind if isinstance(kind, str) else ",".join(map(str, kind or [])) or "object"
        flag = _free_flag(item.get("isAccessibleForFree"))
        if flag is not None:
            flags.append((flag, f"JSON-LD {label} isAccessibleForFree={flag}"))
        for part in _listed(item.get("hasPart"), dict):
            part_flag = _free_flag(part.get("isAccessibleForFree"))
            if part_flag is None:
                continue
            selectors = _listed(part.get("cssSelector"), str)
            flags.append((part_flag, f"JSON-LD hasPart {' '.join(selectors)} "
                                     f"isAccessibleForFree={part_flag}"))
            if part_flag is False:
                found.gated_selectors.extend(selectors)
    for raw in facts.microdata_free_values:
        flag = _free_flag(raw)
        if flag is not None:
            flags.append((flag, f"microdata isAccessibleForFree={raw}"))
    closed = [evidence for flag, evidence in flags if flag is False]
    if closed:
        found.value, found.source = "paywalled", closed[0]
    elif flags:
        found.value, found.source = "free", flags[0][1]


def _lesser_sources(facts: PageFacts) -> list[tuple[Declared, str]]:
    """Declarations below schema.org, in precedence order."""
    rules = load("declarations")
    found: list[tuple[Declared, str]] = []
    for tier in facts.page.meta.get("article:content_tier", []):
        value = rules["content_tier"].get(tier.lower())
        if value:
            found.append((value, f'<meta property="article:content_tier" content="{tier}">'))
    for code in facts.arc_content_codes:
        value = rules["arc_content_codes"].get(code.lower())
        if value:
            found.append((value, f'Arc content_restrictions content_code="{code}"'))
    if facts.tree.xpath('//script[@custom-element="amp-subscriptions"]') and facts.tree.xpath(
        '//*[@subscriptions-section="content"]'
    ):
        found.append(("paywalled", 'AMP amp-subscriptions with subscriptions-section="content"'))
    marker = _premium_url().search(facts.page.url)
    if marker:
        found.append(("paywalled", f"premium URL marker {marker.group()!r} in {facts.page.url}"))
    return found


def read_declaration(facts: PageFacts, hints: PaywallHints) -> tuple[Declaration, list[Signal]]:
    """The page's declaration by the precedence in ``data/declarations.yaml``,
    with one ``declared.*`` signal naming the markup it came from."""
    found = Declaration()
    _schema_org(facts, found)
    lesser = _lesser_sources(facts)
    if hints.declared_override:
        found.value, found.source = hints.declared_override, "site config declared_override"
    elif found.value == "paywalled":
        finer = next(((v, s) for v, s in lesser if v in _FINER), None)
        if finer:
            found.value, found.source = finer[0], f"{found.source}; {finer[1]}"
    elif found.value is None and lesser:
        found.value, found.source = lesser[0]
    signals: list[Signal] = []
    name = f"declared.{found.value}"
    if found.value and weighs(name):
        signals.append(signal(name, found.source))
    return found, signals
