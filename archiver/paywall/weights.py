"""The one lookup of ``data/weights.yaml`` for the rules that emit signals.

Every signal's weight, every prompt weight by position and every truncation
limit is read here, so a rule names a signal and never digs through the file.
Scoring reads the rest of the file (the fitted model, kinds) itself.
"""

from __future__ import annotations

from typing import Any

from archiver.paywall.data import load
from archiver.paywall.verdict import Signal


def weighs(name: str) -> bool:
    """Whether ``weights.yaml`` gives ``name`` a weight (some values are audit-only)."""
    return name in load("weights")["signals"]


def signal(name: str, evidence: str) -> Signal:
    """Signal ``name`` with its weight from ``weights.yaml`` and its evidence."""
    return Signal(name, float(load("weights")["signals"][name]), evidence)


def prompt_weight(category: str, where: str) -> float:
    """A prompt phrase's weight by category and where it stands (0 where unlisted)."""
    return float(load("weights")["prompts"][category].get(where, 0.0))


def limits() -> dict[str, Any]:
    """The ``truncation`` limits: ratios, minimum lengths, sentence ends."""
    return load("weights")["truncation"]
