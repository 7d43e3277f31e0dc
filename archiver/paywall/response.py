"""What the HTTP exchange says: refusals and redirects to login or subscribe pages."""

from __future__ import annotations

import re
from functools import cache

from archiver.languages import WALL_URL_KINDS, words
from archiver.page import CapturedPage
from archiver.paywall.data import load
from archiver.paywall.verdict import Signal
from archiver.paywall.weights import signal

_STATUS_SIGNALS = {402: "http.payment_required", 401: "http.unauthorized",
                   403: "http.forbidden"}


@cache
def _wall_urls() -> dict[str, re.Pattern[str]]:
    """Login/subscribe URL patterns by the wall they mean (``registration``,
    ``paid``): a path segment named in a language file's ``wall_urls``, or a
    language-neutral pattern of ``data/urls.yaml`` (query parameters, hosts)."""
    patterns: dict[str, re.Pattern[str]] = {}
    for kind in WALL_URL_KINDS:
        segments = "|".join(sorted({re.escape(word) for word in words("wall_urls", kind)}))
        alternatives = [f"/(?:{segments})(?:[/?#.]|$)", *load("urls")["wall_urls"].get(kind, [])]
        patterns[kind] = re.compile("|".join(alternatives), re.IGNORECASE)
    return patterns


def wall_url(url: str) -> tuple[str, str] | None:
    """``(kind, matched text)`` when ``url`` is a login, registration or subscribe page."""
    for kind, pattern in _wall_urls().items():
        match = pattern.search(url)
        if match:
            return kind, match.group()
    return None


def find_response_signals(page: CapturedPage) -> list[Signal]:
    """Status 401/402/403, a redirect to a wall, or a capture of a wall page."""
    signals: list[Signal] = []
    name = _STATUS_SIGNALS.get(page.status)
    if name:
        signals.append(signal(name, f"HTTP {page.status} for {page.url}"))
    location = page.header("location")
    if 300 <= page.status < 400 and location:
        wall = wall_url(location)
        if wall:
            signals.append(signal("http.redirect_to_wall",
                                  f"HTTP {page.status} to {location} ({wall[0]} wall)"))
    wall = wall_url(page.url)
    if wall:
        signals.append(signal("url.wall_page",
                              f"{page.url} is a {wall[0]} page ({wall[1]!r})"))
    return signals
