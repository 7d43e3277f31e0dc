"""Paywall detection: an explainable verdict for every captured article.

``detect_paywall(page, article=None, hints=None)`` returns a
:class:`PaywallVerdict` recording both what the publisher declares
(``declared``) and what the capture holds (``detected``, ``kind``,
``truncated``), with every signal that led there and its evidence.

Modules, one concept each: ``facts`` (what the rules read, derived once from
the page's parsed tree and metadata), ``text`` (the visible text, placed),
``regions`` (walls, chrome, hidden text), ``weights`` (the one weight lookup),
``declarations``, ``prompts``, ``vendors``, ``truncation``, ``gates``,
``response`` (HTTP), ``scoring`` and ``detector``.

Rules live in ``archiver/paywall/data/``, so a language, a vendor or a new
weighting is a data change:

* ``prompts-<language>.yaml``: phrases by category (remaining, continue,
  registration, price, offer); adding a language is adding a file;
* ``layout.yaml``: how chrome, paywall containers and hidden text are told
  apart (tags, class/id tokens, styles) and the after-body window;
* ``declarations.yaml``: isAccessibleForFree spellings, content_tier and Arc
  codes, premium URL markers;
* ``vendors.yaml``: vendor fingerprints (scripts, globals, classes, cookies);
* ``urls.yaml``: login, registration and subscribe page URLs;
* ``weights.yaml``: every weight, the threshold and how signals combine.
"""

from archiver.paywall.detector import detect_paywall
from archiver.paywall.hints import PaywallHints
from archiver.paywall.verdict import PaywallVerdict, Signal

__all__ = ["PaywallHints", "PaywallVerdict", "Signal", "detect_paywall"]
