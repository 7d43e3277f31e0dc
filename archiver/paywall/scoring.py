"""From signals to a verdict: a logistic model fitted on labelled pages.

Each signal name is one input of the model, valued by its strongest piece of
evidence (``Signal.weight``: the rule's strength, e.g. a prompt right after the
body weighs more than the same words elsewhere). The coefficients in
``data/weights.yaml`` (``model``) are not set by hand: ``python -m
benchmarks.paywall fit`` fits them (scikit-learn's logistic regression, only in
the benchmark tooling) on the real corpus and the hand-made pages, with the
class weighting, regularisation and threshold chosen by cross-validation
grouped by site, and its figures are cross-validated by site. So:

* ``contribution`` of a signal = its coefficient x its value: what it added to
  the log-odds of a wall, listed on every signal for the audit;
* ``confidence`` = the logistic of the intercept plus the contributions: the
  model's probability of a wall (for an undetected page, ``1 -`` that: how
  sure we are that the reader gets the article);
* ``detected`` when the probability reaches the model's ``threshold``, or when
  a ``decisive`` signal fired: evidence that is a wall by definition, which
  real pages show too rarely for a fit to weigh (HTTP 402, a redirect to a
  login page, the site config's own gate selector or phrase);
* ``truncated``: a truncating signal fired (the text is shorter than the
  publisher says), or the page is detected, no soft signal fired and a teaser
  signal did (a short text, a cut last sentence, "57% left to read"...);
* ``kind`` (rules, not the model; :func:`wall_kind`): ``registration`` if
  what the wall asks for is a free account rather than a payment; else
  ``hard`` when truncated (the server sent only a teaser); else ``soft`` (the
  text is in the page, drawn hidden).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from archiver.paywall.data import load
from archiver.paywall.verdict import Kind, Signal


@dataclass(frozen=True)
class Score:
    detected: bool
    kind: Kind | None
    truncated: bool
    confidence: float
    signals: list[Signal]


def strongest(signals: list[Signal]) -> dict[str, float]:
    """Each signal name's strongest weight: the model's inputs."""
    values: dict[str, float] = {}
    for signal in signals:
        values[signal.name] = max(values.get(signal.name, 0.0), signal.weight)
    return values


def wall_kind(values: dict[str, float]) -> tuple[Kind, bool]:
    """What kind of wall these signals describe, and whether the capture is
    truncated, if the page is walled.

    ``registration`` when what the wall asks for is a free account and it asks
    for no payment more strongly: the account evidence (``weights.yaml``
    ``kind.account``: free-registration wording of the language files, a
    link to a registration page, an e-mail-only form, a declared registration
    wall) against the payment evidence (``kind.payment``: a price, a subscribe
    or offers link, a card field, "subscribe to continue" wording). A login
    link, "already a subscriber?" or "N characters left / for subscribers
    only" (``prompt.remaining``) stands on every kind of wall and decides
    nothing. Else ``hard`` when truncated (the server sent only a teaser),
    unless a ``sent`` signal says the whole text is in what the server sent
    (JSON-LD ``articleBody``); ``soft`` when the text is in the page, drawn
    hidden."""
    rules = load("weights")
    fired = {name for name, weight in values.items() if weight > 0}
    soft = bool(fired.intersection(rules["soft"]))
    truncated = bool(fired.intersection(rules["truncating"])) or (
        bool(fired.intersection(rules["teaser"])) and not soft)
    account = sum(values.get(name, 0.0) for name in rules["kind"]["account"])
    payment = sum(values.get(name, 0.0) for name in rules["kind"]["payment"])
    if account > 0 and account >= payment:
        return "registration", truncated
    sent = bool(fired.intersection(rules["sent"]))
    return ("hard" if truncated and not sent else "soft"), truncated


def decisive(values: dict[str, float]) -> bool:
    """Whether a signal that is a wall by definition fired (``weights.yaml``
    ``decisive``): the page is detected whatever the model says."""
    return any(values.get(name, 0.0) >= least
               for name, least in load("weights")["decisive"].items())


def is_detected(values: dict[str, float], chance: float, threshold: float) -> bool:
    """The crawl's rule for calling a page walled: a decisive signal fired, or the
    model's ``chance`` reaches ``threshold``. The fit scores its candidate
    thresholds by this same rule, so its figures are the crawl's."""
    return decisive(values) or chance >= threshold


def probability(values: dict[str, float]) -> float:
    """The model's probability that a reader without an account is walled."""
    model = load("weights")["model"]
    coefficients = model["coefficients"]
    z = model["intercept"] + sum(coefficients.get(name, 0.0) * value
                                 for name, value in values.items())
    return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))


def score(signals: list[Signal]) -> Score:
    values = strongest(signals)
    coefficients = load("weights")["model"]["coefficients"]
    counted: set[str] = set()
    explained: list[Signal] = []
    for signal in sorted(signals, key=lambda signal: -signal.weight):
        # a name counts once, by its strongest evidence; the others are listed at 0
        coefficient = 0.0 if signal.name in counted else coefficients.get(signal.name, 0.0)
        share = coefficient * signal.weight
        counted.add(signal.name)
        explained.append(replace(signal, contribution=share))
    chance = probability(values)
    detected = is_detected(values, chance, load("weights")["model"]["threshold"])
    kind, truncated = wall_kind(values)
    truncating = bool(set(load("weights")["truncating"]).intersection(
        name for name, weight in values.items() if weight > 0))
    confidence = max(chance, 0.5) if detected else 1.0 - chance
    return Score(detected, kind if detected else None, truncated if detected else truncating,
                 confidence, explained)
