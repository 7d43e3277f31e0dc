"""From signals to a verdict: one documented rule, weights from ``data/weights.yaml``.

* ``confidence`` is the noisy-or of the signal weights, ``1 - prod(1 - w)``,
  each signal name counted once (its strongest piece of evidence, so
  ``vendor`` counts once however many vendors are found); the signals of a
  group in ``weights.yaml`` (a subscription pitch, the shape of a teaser) are
  combined first and capped, since they are one observation seen several ways;
* ``detected`` when ``confidence`` reaches ``threshold``;
* ``truncated``: a truncating signal fired (the text is shorter than the
  publisher says), or the page is detected, no soft signal fired and a teaser
  signal did (a short text, a cut last sentence, "57% left to read"...);
* ``kind``: ``registration`` if the registration signals outweigh the other
  prompts; else ``hard`` when truncated (the server sent only a teaser); else
  ``soft`` (the text is in the page and the wall is drawn client-side).

``confidence`` for an undetected page is ``1 - confidence``: how sure we are
that the reader gets the article.
"""

from __future__ import annotations

from dataclasses import dataclass

from archiver.paywall.data import load
from archiver.paywall.verdict import Kind, Signal


@dataclass(frozen=True)
class Score:
    detected: bool
    kind: Kind | None
    truncated: bool
    confidence: float


def _strongest(signals: list[Signal]) -> dict[str, float]:
    strongest: dict[str, float] = {}
    for signal in signals:
        strongest[signal.name] = max(strongest.get(signal.name, 0.0), signal.weight)
    return strongest


def _noisy_or(weights: list[float]) -> float:
    remaining = 1.0
    for weight in weights:
        remaining *= 1.0 - min(max(weight, 0.0), 1.0)
    return 1.0 - remaining


def score(signals: list[Signal]) -> Score:
    rules = load("weights")
    strongest = _strongest(signals)
    weights = dict(strongest)
    evidence: list[float] = []
    for group in rules["groups"].values():
        members = [weights.pop(name) for name in group["signals"] if name in weights]
        evidence.append(min(_noisy_or(members), group["cap"]))
    gated = _noisy_or([*evidence, *weights.values()])
    detected = gated >= rules["threshold"]
    fired = {name for name, weight in strongest.items() if weight > 0}
    soft = bool(fired.intersection(rules["soft"]))
    teaser = bool(fired.intersection(rules["teaser"]))
    truncated = bool(fired.intersection(rules["truncating"])) or (detected and teaser and not soft)
    kind: Kind | None = None
    if detected:
        registration = sum(strongest.get(name, 0.0) for name in rules["registration"])
        paid = sum(weight for name, weight in strongest.items()
                   if name.startswith("prompt.") and name not in rules["registration"])
        if registration > 0 and registration >= paid:
            kind = "registration"
        else:
            kind = "hard" if truncated else "soft"
    return Score(detected, kind, truncated, gated if detected else 1.0 - gated)
