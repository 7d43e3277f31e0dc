"""The verdict stored on every article: what was found, and the evidence for it.

A verdict is meant to be audited by a researcher, so every conclusion it draws
is backed by :class:`Signal` objects naming the rule that fired, the weight the
scoring gave it and the matched text or selector.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

Kind = Literal["hard", "soft", "registration"]
Declared = Literal["free", "paywalled", "metered", "registration"]
KINDS: tuple[Kind, ...] = get_args(Kind)
"""The kinds of wall, in the order summaries and reports list them."""
NOT_WALLED = "none"
"""How stats and reports name a capture without a wall."""


@dataclass(frozen=True)
class Signal:
    """One piece of evidence: the rule's name, its weight (the strength of the
    evidence, the model's input), what it matched, and what it contributed to
    the log-odds of a wall (the fitted coefficient times the weight)."""

    name: str
    weight: float
    evidence: str
    contribution: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "weight": round(self.weight, 3), "evidence": self.evidence,
                "contribution": round(self.contribution, 3)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Signal:
        return cls(str(data["name"]), float(data["weight"]), str(data.get("evidence", "")),
                   float(data.get("contribution", 0.0)))


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
    stylesheets: dict[str, list[str]] | None = None
    """The linked stylesheets a verdict re-made from the archive read (``read``: their
    URLs), could not find there (``missing``) or left past its bounds (``skipped``);
    ``None`` for a verdict made from the page alone (the crawl's, ``archiver detect``),
    and then absent from :meth:`to_dict`, as before stylesheets were read."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON object stored on the item under ``paywall`` and in the WARC."""
        stylesheets = {} if self.stylesheets is None else {"stylesheets": self.stylesheets}
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
            **stylesheets,
        }

    @property
    def label(self) -> str:
        """The kind of wall, or ``none``: how stats count verdicts."""
        return self.kind if self.detected and self.kind else NOT_WALLED

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PaywallVerdict:
        """A verdict read back from an item, a catalog row or a verdict record."""
        return cls(
            detected=bool(data.get("detected")),
            kind=data.get("kind"),
            truncated=bool(data.get("truncated")),
            declared=data.get("declared"),
            confidence=float(data.get("confidence") or 0.0),
            vendors=list(data.get("vendors") or []),
            visible_words=int(data.get("visible_words") or 0),
            expected_words=data.get("expected_words"),
            signals=[Signal.from_dict(signal) for signal in data.get("signals") or []],
            stylesheets=data.get("stylesheets"),
        )
