"""The shipped site configs, the config schema's errors, and the ``archiver sites`` verbs.

The real sites cannot be crawled here; their configs are checked against the
schema, and their rules against saved pages of the same publishers (the fundus
corpus in ../shared, skipped where absent) and small fixture pages.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
import yaml

from archiver.analysis import analyse_page
from archiver.discovery.scope import SiteScope
from archiver.page import CapturedPage
from archiver.sites import SiteConfigError, bundled_sites_dir, find_site, load_site, site_names
from tests.crawling import run_archiver

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "fundus"
FIXTURES = Path(__file__).parent / "fixtures"
SHIPPED = site_names(bundled_sites_dir())
COUNTRY_NAMES = {iso: name for iso, name in yaml.safe_load(
    (Path(__file__).parents[2] / "spiders" / "generate_sites.yaml").read_text(encoding="utf-8")
)["countries"].values()}


def scope(name: str) -> SiteScope:
    return SiteScope(find_site(name, bundled_sites_dir()))


def corpus_page(name: str) -> tuple[str, CapturedPage]:
    labels = CORPUS / "labels.jsonl"
    if not labels.exists():
        pytest.skip(f"fundus corpus not found at {CORPUS} (only beside a development checkout)")
    for line in labels.read_text(encoding="utf-8").splitlines():
        label = json.loads(line)
        if label["file"] == name:
            body = gzip.decompress((CORPUS / name).read_bytes())
            return label["url"], CapturedPage(url=label["url"], body=body)
    raise AssertionError(f"{name} is not in {labels}: the corpus changed, update this test")


def test_shipped_configs_150_sites_30_countries_each_with_its_source():
    configs = [find_site(name, bundled_sites_dir()) for name in SHIPPED]
    assert len(configs) >= 150
    assert len({c.country for c in configs}) >= 30
    assert len({c.language for c in configs}) >= 25
    assert all(c.country and c.region and c.language and c.source for c in configs)
    fundus = [c.source for c in configs if c.source.repository == "flairNLP/fundus"]
    assert len(fundus) >= 150 and all(s.path and s.commit and s.publisher for s in fundus)
    regional = [c for c in configs if c.region != COUNTRY_NAMES[c.country]]
    assert len(regional) >= 30, "regional and local titles, not only national ones"
    assert "al-monitor" in SHIPPED


def test_paywalled_sites_carry_their_hints():
    le_monde = find_site("le-monde", bundled_sites_dir()).paywall_hints()
    assert any("réservée aux abonnés" in p for p in le_monde.prompt_phrases)
    abendblatt = find_site("hamburger-abendblatt", bundled_sites_dir()).paywall_hints()
    assert any("piano" in s for s in abendblatt.gate_selectors), "a Piano site"
    assert find_site("hankook-ilbo", bundled_sites_dir()).paywall_hints().declared_override == (
        "free")


@pytest.mark.parametrize(
    ("site", "article", "hubs"),
    [
        ("al-monitor", "https://www.al-monitor.com/originals/2024/05/iran-saudi-talks-resume",
         ["https://www.al-monitor.com/", "https://www.al-monitor.com/region/iran",
          "https://www.al-monitor.com/pro/2024/05/what-pro-offers-its-readers-today"]),
        ("le-monde", "https://www.lemonde.fr/politique/article/2023/08/30/sophie-binet-met-en-"
         "garde_6187099_823448.html",
         ["https://www.lemonde.fr/international/", "https://www.lemonde.fr/live/article/2024/"
          "01/01/en-direct-the-new-year-in-france"]),
        ("hamburger-abendblatt", "https://www.abendblatt.de/hamburg/article242192802/Hamburg-"
         "Marathon-2024.html", ["https://www.abendblatt.de/hamburg/",
                                "https://www.abendblatt.de/themen/article-ueber-das-thema/"]),
        ("the-namibian", "https://www.namibian.com.na/nam-sa-green-hydrogen-pipeline-flagged/",
         ["https://www.namibian.com.na/category/national/",
          "https://www.namibian.com.na/author/some-staff-writer-name/"]),
        ("hankook-ilbo", "https://www.hankookilbo.com/news/article/A2026012914320005196",
         ["https://www.hankookilbo.com/News/Politics"]),
        ("la-vanguardia", "https://www.lavanguardia.com/politica/20250113/10277301/juez-cita-"
         "investigado.html", ["https://www.lavanguardia.com/local/barcelona"]),
    ],
)
def test_site_rules_tell_articles_from_hubs(site: str, article: str, hubs: list[str]):
    rules = scope(site)
    assert rules.allows(article) and rules.article_url(article)
    for hub in hubs:
        assert not rules.article_url(hub), hub


@pytest.mark.parametrize(
    ("site", "page"),
    [
        ("hamburger-abendblatt", "de/HamburgerAbendblatt_2025_11_06.html.gz"),
        ("hankook-ilbo", "kr/HankookIlbo_2026_01_29.html.gz"),
        ("la-vanguardia", "es/LaVanguardia_2025_01_13.html.gz"),
        ("the-namibian", "na/TheNamibian_2024_02_20.html.gz"),
    ],
)
def test_real_article_pages_are_emitted_with_site_rules(site: str, page: str):
    url, captured = corpus_page(page)
    rules = scope(site)
    assert rules.allows(url)
    analysis = analyse_page(captured, rules.config.paywall_hints(), rules.is_article)
    assert analysis.article is not None and analysis.article.title
    assert analysis.requisites, "article pages name their stylesheets, scripts and images"


def test_le_monde_subscriber_teaser_is_flagged_with_its_hints():
    _, captured = corpus_page("fr/LeMonde_2023_09_01.html.gz")
    rules = scope("le-monde")
    analysis = analyse_page(captured, rules.config.paywall_hints(), rules.is_article)
    verdict = analysis.paywall
    assert verdict is not None and verdict.detected and verdict.truncated
    assert any(s.name == "gate.site_selector" and ".js-paywall" in s.evidence
               for s in verdict.signals), "the config's gate selector is used"


def test_al_monitor_pro_fixture_gate_found_by_the_site_selector():
    body = (FIXTURES / "al-monitor-pro.html").read_bytes()
    url = "https://www.al-monitor.com/originals/2026/11/gulf-water-grid-talks"
    rules = scope("al-monitor")
    analysis = analyse_page(CapturedPage(url=url, body=body), rules.config.paywall_hints(),
                            rules.is_article)
    assert analysis.article is not None
    names = {s.name for s in analysis.paywall.signals}
    assert "gate.site_selector" in names
    assert analysis.paywall.detected


BROKEN = {
    "unknown key": ("name: x\nhome: [https://x.org/]\nsitemap: [https://x.org/s.xml]\n",
                    "sitemap", "unknown key"),
    "bad url": ("name: x\nhome: [x.org]\n", "home[0]", "not an http(s) URL"),
    "bad regex": ("name: x\nhome: [https://x.org/]\narticles: {allow: ['(']}\n",
                  "articles.allow[0]", "not a valid regular expression"),
    "bad selector": ("name: x\nhome: [https://x.org/]\npaywall: {gate_selectors: ['div[']}\n",
                     "paywall.gate_selectors[0]", "not a valid CSS selector"),
    "impolite": ("name: x\nhome: [https://x.org/]\npoliteness: {concurrency: 16}\n",
                 "politeness.concurrency", "less than or equal to 2"),
    "bad declaration": ("name: x\nhome: [https://x.org/]\npaywall: {declared_override: maybe}\n",
                        "paywall.declared_override", "'free'"),
    "missing home": ("name: x\n", "home", "required key is missing"),
    "wrong name": ("name: y\nhome: [https://x.org/]\n", "name", "must match the file name"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_config_names_file_key_and_reason(tmp_path: Path, case: str):
    text, key, reason = BROKEN[case]
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SiteConfigError) as raised:
        load_site(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: key {key!r}: "), message
    assert reason in message


def test_yaml_syntax_error_names_the_file(tmp_path: Path):
    path = tmp_path / "x.yaml"
    path.write_text("name: x\nhome: [https://x.org/\n", encoding="utf-8")
    with pytest.raises(SiteConfigError, match=r"x\.yaml: not valid YAML"):
        load_site(path)


def test_sites_verbs_list_and_validate(tmp_path: Path):
    listing = run_archiver("sites")
    assert listing.returncode == 0, listing.stderr
    for name in SHIPPED:
        assert name in listing.stdout
    assert run_archiver("sites", "validate").returncode == 0

    (tmp_path / "good.yaml").write_text("name: good\nhome: [https://good.example/]\n")
    (tmp_path / "bad.yaml").write_text("name: bad\nhome: [https://bad.example/]\nfeed: []\n")
    checked = run_archiver("sites", "validate", "--sites-dir", str(tmp_path))
    assert checked.returncode == 1
    assert f"ok       {tmp_path / 'good.yaml'} (good)" in checked.stdout
    assert f"{tmp_path / 'bad.yaml'}: key 'feed': unknown key" in checked.stderr
    assert "1 of 2 site configs valid" in checked.stdout


def test_crawl_rejects_unknown_site_and_mixed_arguments(tmp_path: Path):
    """Argument checks, on a config whose only host is loopback: were a check to regress,
    the crawl would reach 127.0.0.1 (nothing listens on port 9), never a real site."""
    sites = tmp_path / "sites"
    sites.mkdir()
    (sites / "loop.yaml").write_text("name: loop\nhome: [http://127.0.0.1:9/]\n")
    common = ["--sites-dir", str(sites), "--output", str(tmp_path / "out")]
    unknown = run_archiver("crawl", "no-such-site", *common)
    assert unknown.returncode == 2 and "no such site config" in unknown.stderr
    mixed = run_archiver("crawl", "loop", "--url", "http://127.0.0.1:9/", *common)
    assert mixed.returncode == 2 and "not both" in mixed.stderr
    since = run_archiver("crawl", "loop", "--since", "yesterday", *common)
    assert since.returncode == 2 and "--since 'yesterday'" in since.stderr
    assert not (tmp_path / "out").exists(), "refused before any crawl started"
