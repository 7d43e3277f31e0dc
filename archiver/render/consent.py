"""Consent banners: which CMP shows one, and which button refuses tracking.

The selectors live in ``data/consent.yaml``. The default policy clicks "reject"
(or a close button) so the screenshot shows the article; accepting tracking is
the operator's decision (``ARCHIVER_RENDER_CONSENT=accept``), never ours.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from archiver.yamlfiles import load_yaml

DATA_FILE = Path(__file__).with_name("data") / "consent.yaml"
Policy = Literal["reject", "accept", "off"]
POLICIES: tuple[Policy, ...] = ("reject", "accept", "off")


@dataclass(frozen=True)
class ConsentManager:
    name: str
    banner: tuple[str, ...]
    reject: tuple[str, ...]
    dismiss: tuple[str, ...]
    accept: tuple[str, ...]

    def buttons(self, policy: Policy) -> tuple[str, ...]:
        """The selectors to try, in order, under ``policy``."""
        if policy == "accept":
            return self.accept
        if policy == "reject":
            return self.reject + self.dismiss
        return ()


@cache
def managers() -> tuple[ConsentManager, ...]:
    with DATA_FILE.open(encoding="utf-8") as handle:
        data = load_yaml(handle)["managers"]
    return tuple(
        ConsentManager(name, *(tuple(entry[key]) for key in
                               ("banner", "reject", "dismiss", "accept")))
        for name, entry in data.items()
    )


def banner_selectors() -> list[tuple[str, list[str]]]:
    """``[(manager, banner selectors)]``, as the page probe takes them."""
    return [(manager.name, list(manager.banner)) for manager in managers()]


def parse_policy(value: str) -> Policy:
    value = (value or "reject").strip().lower()
    if value not in POLICIES:
        raise ValueError(f"ARCHIVER_RENDER_CONSENT={value!r}: expected one of "
                         f"{', '.join(POLICIES)}")
    return value  # type: ignore[return-value]
