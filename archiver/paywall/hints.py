"""Per-site knowledge that site configs hand to the detector.

Generic rules cannot know every publisher's markup; a site config can name the
element that holds its paywall prompt, a phrase its wall uses, or the
declaration the publisher makes outside the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from archiver.paywall.verdict import Declared


@dataclass
class PaywallHints:
    """Site-specific additions to the generic rules; every field is optional.

    ``gate_selectors``: CSS selectors of this site's paywall or login prompt; an
    element matching one is a gate. ``prompt_phrases``: extra phrases that, after
    the article body, mean the text continues behind a wall.
    ``declared_override``: the site's declaration where its pages carry none.
    """

    gate_selectors: list[str] = field(default_factory=list)
    prompt_phrases: list[str] = field(default_factory=list)
    declared_override: Declared | None = None
