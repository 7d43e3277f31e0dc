"""The verdict stored on every article: what was found, and the evidence for it.

A verdict is meant to be audited by a researcher, so every conclusion it draws
is backed by :class:`Signal` objects naming the rule that fired, the weight the
scoring gave it and the matched text or selector.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["hard", "soft", "registration"]
Declared = Literal["free", "paywalled", "metered", "registration"]


@dataclass(frozen=True)
class Signal:
    """One piece of evidence: the rule's name, its weight, and what it matched."""

    name: str
    weight: float
    evidence: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "weight": round(self.weight, 3), "evidence": self.evidence}


@dataclass
class PaywallVerdict:
    """The state of one capture (``detected``, ``kind``, ``truncated``) and the
    publisher's own claim (``declared``), kept apart because they often differ."""

    detected: bool = False
    kind: Kind | None = None
    truncated: bool = False
    declared: Declared | None = None
    confidence: float = 0.0
    vendors: list[str] = field(default_factory=list)
    visible_words: int = 0
    expected_words: int | None = None
    signals: list[Signal] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object stored on the item under ``paywall`` and in the WARC."""
        return {
            "detected": self.detected,
            "kind": self.kind,
            "truncated": self.truncated,
            "declared": self.declared,
            "confidence": round(self.confidence, 3),
            "vendors": list(self.vendors),
            "visible_words": self.visible_words,
            "expected_words": self.expected_words,
            "signals": [signal.to_dict() for signal in self.signals],
        }
