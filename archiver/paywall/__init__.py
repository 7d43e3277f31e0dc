"""Paywall detection: an explainable verdict for every captured article.

``detect_paywall(page, article=None, hints=None)`` returns a
:class:`PaywallVerdict` recording both what the publisher declares
(``declared``) and what the capture holds (``detected``, ``kind``,
``truncated``), with every signal that led there and its evidence.

Modules, one concept each: ``facts`` (what the rules read, derived once from
the page's parsed tree and metadata), ``text`` (the visible text, placed),
``regions`` (walls, chrome, hidden text), ``weights`` (the one weight lookup),
``declarations``, ``prompts``, ``vendors``, ``truncation``, ``gates``,
``structure`` (language-free walls: placeholders, forms, hidden and scrambled
text), ``response`` (HTTP), ``scoring`` (the fitted model) and ``detector``.

Phrases, wall-page URL words and currencies are per language in
``archiver/languages/<code>.yaml`` (adding a language is adding a file); the
other rules live in ``archiver/paywall/data/``, so a vendor or a re-fit is a
data change:

* ``layout.yaml``: how chrome, paywall containers and hidden text are told
  apart (tags, class/id tokens, styles) and the after-body window;
* ``declarations.yaml``: isAccessibleForFree spellings, content_tier and Arc
  codes, premium URL markers;
* ``vendors.yaml``: vendor fingerprints (scripts, globals, classes, cookies);
* ``urls.yaml``: login and subscribe page URLs no language spells;
* ``weights.yaml``: every rule's weight and the model's fitted coefficients
  (``python -m benchmarks.paywall fit``).
"""

from archiver.paywall.hints import PaywallHints
from archiver.paywall.verdict import PaywallVerdict, Signal

__all__ = ["PaywallHints", "PaywallVerdict", "Signal", "detect_paywall"]


def __getattr__(name: str):
    """``detect_paywall`` imported on first use: the crawling process needs the hints and
    verdicts of this package, and leaves detection (its rules, compiled at import: 0.1 s
    of CPU) to the analysis workers it spawns."""
    if name == "detect_paywall":
        from archiver.paywall.detector import detect_paywall

        return detect_paywall
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
