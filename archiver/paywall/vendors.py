"""Paywall vendors present on the page, from ``data/vendors.yaml``.

A vendor's script says the site *can* gate; scoring gives it little weight and
the verdict lists it so researchers can group captures by technology.
"""

from __future__ import annotations

from functools import cache

from archiver.page import CapturedPage
from archiver.paywall.data import load
from archiver.paywall.facts import PageFacts
from archiver.paywall.verdict import Signal
from archiver.paywall.weights import signal

SOURCES = ("scripts", "globals", "classes", "cookies")


@cache
def _fingerprints(source: str) -> tuple[tuple[str, str], ...]:
    """``(vendor key, lower-cased trace)`` pairs for one kind of trace. Plain
    substring tests: inline scripts run to megabytes, where ``in`` is far
    faster than any regex."""
    vendors = load("vendors")
    return tuple((key, trace.lower()) for key, entry in vendors.items()
                 for trace in entry.get(source) or [])


def _cookie_names(page: CapturedPage) -> str:
    return "\n".join(value.split("=", 1)[0] for value in page.headers.get("set-cookie", []))


def find_vendors(facts: PageFacts) -> tuple[list[str], list[Signal]]:
    """Vendor names found, and one ``vendor`` signal per vendor with its trace."""
    haystacks = {
        "scripts": "\n".join(facts.script_sources).lower(),
        "globals": facts.inline_scripts.lower(),
        "classes": facts.class_names.lower(),
        "cookies": _cookie_names(facts.page).lower(),
    }
    names = load("vendors")
    found: dict[str, Signal] = {}
    for source in SOURCES:
        haystack = haystacks[source]
        for key, trace in _fingerprints(source):
            if key not in found and trace in haystack:
                label = names[key]["name"]
                found[key] = signal("vendor", f"{label}: {source} {trace!r}")
    return [names[key]["name"] for key in found], list(found.values())
