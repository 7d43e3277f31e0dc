"""Every shipped config checked against saved pages of its publisher (the fundus corpus).

For each publisher with pages in ``../shared/corpus/fundus``: its config's rules
must let the crawl request each saved article URL and call it an article (from
the URL, before the fetch, and from the page), its paywall hints must not flag
the publisher's complete articles, and its ``declared_override`` must agree with
what the pages declare. ``verified: true`` is claimed exactly by the configs so
checked. Each page is read and parsed once (``pages``); the whole module takes
a few seconds.
"""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path

import pytest

from archiver.discovery.scope import SiteScope
from archiver.extraction import extract_article
from archiver.page import CapturedPage
from archiver.paywall import PaywallHints, detect_paywall
from archiver.sites import SiteConfig, bundled_sites_dir, config_files, load_site

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "fundus"
ABSENT = f"fundus corpus not found at {CORPUS} (only beside a development checkout)"
# Pages cut after a teaser (corpus README): not complete articles.
TRUNCATED = {"fr/LeMonde_2023_09_01.html.gz", "pl/Rzeczpospolita_2025_02_02.html.gz",
             "jp/ChunichiShimbun_2025_01_13.html.gz"}
# Publishers fundus marks deprecated (site closed or unparseable): no config is generated.
NOT_SHIPPED = {"DE.Stern", "JP.TheJapanNews", "JP.Nikkei", "LS.LesothoTimes", "US.WorldTruth",
               "US.Reuters", "US.OccupyDemocrats"}
SITE_HINT_SIGNALS = {"gate.site_selector", "prompt.site"}


@cache
def shipped() -> dict[str, SiteConfig]:
    """Shipped configs by their fundus publisher (``COUNTRY.Attribute``)."""
    configs = (load_site(path) for path in config_files(bundled_sites_dir()))
    return {c.source.publisher: c for c in configs if c.source and c.source.publisher}


@cache
def labels() -> dict[str, list[dict]]:
    """The corpus labels by publisher; empty when the corpus is absent."""
    found: dict[str, list[dict]] = {}
    path = CORPUS / "labels.jsonl"
    if path.exists():
        for label in map(json.loads, path.read_text(encoding="utf-8").splitlines()):
            found.setdefault(f"{label['country']}.{label['publisher']}", []).append(label)
    return found


def pages(publisher: str) -> list[tuple[dict, CapturedPage]]:
    """The publisher's saved pages; a page named in labels.jsonl but missing fails."""
    found = []
    for label in labels()[publisher]:
        path = CORPUS / label["file"]
        assert path.is_file(), f"{path}: named in labels.jsonl but missing from the corpus"
        found.append((label, CapturedPage(url=label["url"],
                                          body=gzip.decompress(path.read_bytes()))))
    return found


PUBLISHERS = sorted(set(labels()) - NOT_SHIPPED) or [pytest.param(None, marks=pytest.mark.skip(
    reason=ABSENT))]


@pytest.mark.parametrize("publisher", PUBLISHERS)
def test_config_rules_hold_on_the_publishers_saved_pages(publisher: str):
    config = shipped().get(publisher)
    assert config is not None, f"{publisher} has saved pages but no shipped config"
    assert config.verified, f"{config.name}: checked here, so it must say verified: true"
    scope = SiteScope(config)
    hints = config.paywall_hints()
    for label, page in pages(publisher):
        url = label["url"]
        assert scope.allows(url), f"{config.name}: {url} is outside allowed_domains or denied"
        assert scope.article_url(url), f"{config.name}: {url} not an article by its URL"
        assert scope.is_article(page), f"{config.name}: {label['file']} not an article page"
        if config.paywall.declared_override:
            declared_free = config.paywall.declared_override == "free"
            assert declared_free == label["free_access"], (
                f"{config.name}: declared_override {config.paywall.declared_override!r} but "
                f"{label['file']} declares free_access={label['free_access']}")
        if label["file"] in TRUNCATED or not (hints.gate_selectors or hints.prompt_phrases
                                              or hints.declared_override):
            continue
        article = extract_article(page)
        verdict = detect_paywall(page, article, hints)
        fired = [s for s in verdict.signals if s.name in SITE_HINT_SIGNALS and s.weight > 0]
        assert not fired, f"{config.name}: hints fire on complete {label['file']}: {fired}"
        if verdict.detected:
            assert detect_paywall(page, article, PaywallHints()).detected, (
                f"{config.name}: its hints make complete {label['file']} look paywalled")


def test_verified_means_checked_against_saved_pages():
    if not labels():
        pytest.skip(ABSENT)
    claimed = {key for key, config in shipped().items() if config.verified}
    hand = [load_site(p) for p in config_files(bundled_sites_dir())]
    assert not [c.name for c in hand if c.verified and not (c.source and c.source.publisher)]
    assert claimed == set(labels()) - NOT_SHIPPED

