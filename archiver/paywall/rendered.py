"""What the rendered page says: walls that scripts draw after the raw HTML arrived.

A soft wall ships the whole article in the HTML and hides it in the browser: a
script sets ``display: none`` or a blur on the text, deletes it, or draws an
overlay and locks scrolling; a consent wall does the same until the reader
agrees to tracking. The raw capture cannot show any of that. The renderer
(:mod:`archiver.render`) measures the page in Chromium after load and hands the
measurements here as :class:`RenderedFacts`; this module turns them into signals
with the evidence a researcher can check against the screenshot record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from archiver.paywall.data import load
from archiver.paywall.verdict import Signal
from archiver.paywall.weights import signal


@dataclass(frozen=True)
class HiddenText:
    """An element holding article-sized text that its computed style hides."""

    selector: str
    how: str
    words: int


@dataclass(frozen=True)
class Overlay:
    """A fixed or sticky box covering at least ``overlay_coverage`` of the viewport."""

    selector: str
    coverage: float
    text: str


@dataclass(frozen=True)
class RenderedFacts:
    """Measurements of one rendered article (``archiver/render/data/probe.js``)."""

    visible_words: int
    """Words a reader sees in the body (``innerText``: hidden elements excluded)."""
    present_words: int
    """Words in the rendered DOM at all, hidden or not (scripts and styles excluded)."""
    hidden: tuple[HiddenText, ...] = ()
    overlays: tuple[Overlay, ...] = ()
    scroll_locked: bool = False
    reachable_words: int | None = None
    """With scrolling locked under an overlay: the words a reader can reach (shown in
    the first screen and not covered); None when scrolling is free or nothing covers."""
    consent: tuple[str, ...] = ()
    """Consent managers whose banner is still shown after the renderer's clicks."""
    consent_actions: tuple[str, ...] = field(default_factory=tuple)
    """What the renderer clicked to dismiss consent banners, for audit."""

    @classmethod
    def from_probe(cls, probe: dict[str, Any], consent_actions: list[str]) -> RenderedFacts:
        return cls(
            visible_words=int(probe["visible_words"]),
            present_words=int(probe["present_words"]),
            hidden=tuple(HiddenText(**hidden) for hidden in probe["hidden"]),
            overlays=tuple(Overlay(**overlay) for overlay in probe["overlays"]),
            scroll_locked=bool(probe["scroll_locked"]),
            reachable_words=probe["reachable_words"],
            consent=tuple(probe["consent"]),
            consent_actions=tuple(consent_actions),
        )


def rules() -> dict[str, Any]:
    """The thresholds in ``weights.yaml``'s ``rendered`` section (its weights are looked
    up by :func:`archiver.paywall.weights.signal`, as every rule's are)."""
    return load("weights")["rendered"]


def hidden_text_words(raw_words: int) -> int:
    """How many words a hidden element needs to count as the article's text."""
    limits = rules()
    return max(limits["hidden_text_words"], int(raw_words * limits["hidden_text_ratio"]))


def find_rendered_signals(rendered: RenderedFacts | None, raw_words: int) -> list[Signal]:
    """Signals of a wall drawn by script; ``raw_words``: the raw capture's article words."""
    if rendered is None:
        return []
    limits = rules()
    signals: list[Signal] = []
    for hidden in rendered.hidden:
        name = "rendered.text_blurred" if hidden.how.startswith("filter") else (
            "rendered.text_hidden")
        signals.append(signal(name, f"after scripts ran, {hidden.selector} "
                              f"({hidden.words} words) has {hidden.how}"))
    if (raw_words >= limits["min_raw_words"]
            and rendered.present_words < raw_words * limits["removed_ratio"]):
        signals.append(signal(
            "rendered.text_removed",
            f"the raw capture's article has {raw_words} words, the rendered page "
            f"{rendered.present_words} in all: scripts removed the text"))
    covered = _covered_text(rendered, raw_words)
    if covered:
        signals.append(signal("rendered.text_hidden", covered))
    signals += [signal("rendered.overlay", f"{overlay.selector} covers "
                       f"{overlay.coverage:.0%} of the viewport: {overlay.text!r}")
                for overlay in rendered.overlays]
    if rendered.scroll_locked:
        signals.append(signal("rendered.scroll_locked",
                              "scrolling is switched off (overflow: hidden on html/body)"))
    if rendered.scroll_locked or rendered.overlays:
        actions = "; ".join(rendered.consent_actions) or "nothing clicked"
        signals += [signal("rendered.consent_wall",
                           f"{manager} consent banner still blocks the page ({actions})")
                    for manager in rendered.consent]
    return signals


def _covered_text(rendered: RenderedFacts, raw_words: int) -> str | None:
    """Evidence that an overlay keeps the text from the reader, or None.

    The soft wall that leaves the text in place: an overlay over the page and
    scrolling switched off, so a reader reaches only what the first screen shows
    uncovered. That is the text hidden as surely as ``display: none`` hides it,
    and it is structural (measured in the page, not a phrase or a style name), so
    it is the same decisive ``rendered.text_hidden`` signal: an overlay alone, or
    a locked page alone (a menu, a lightbox), never fires it.
    """
    limits = rules()
    reachable = rendered.reachable_words
    if (reachable is None or not rendered.overlays or raw_words < limits["min_raw_words"]
            or reachable >= raw_words * limits["removed_ratio"]):
        return None
    overlay = max(rendered.overlays, key=lambda overlay: overlay.coverage)
    return (f"after scripts ran, {overlay.selector} covers {overlay.coverage:.0%} of the "
            f"viewport and scrolling is locked: a reader reaches {reachable} of the raw "
            f"article's {raw_words} words")
