"""Paywall detection: an explainable verdict for every captured article.

``detect_paywall(page, article, hints)`` returns a :class:`PaywallVerdict`
recording both what the publisher declares and what the capture holds, with
the evidence for each conclusion. Rules, phrases and weights live in
``archiver/paywall/data/``.
"""

from archiver.paywall.detector import detect_paywall
from archiver.paywall.hints import PaywallHints
from archiver.paywall.verdict import PaywallVerdict, Signal

__all__ = ["PaywallHints", "PaywallVerdict", "Signal", "detect_paywall"]
