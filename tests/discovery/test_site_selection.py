"""``--country``, ``--language``, ``--region``: one selection for ``sites``, ``crawl --all``
and ``schedule``, on a directory of loopback configs (no test reaches a real site)."""

from __future__ import annotations

from pathlib import Path

import pytest

from archiver.demo.server import Route, serve
from archiver.sites import SiteFilter, bundled_sites_dir, config_files, load_site
from tests.crawling import FAST, run_archiver

SITES = {  # name: (country, language, region)
    "hamburg-post": ("de", "de", "Hamburg"),
    "bavaria-bote": ("de", "de", "Munich, Bavaria"),
    "alpen-blatt": ("at", "de-AT", "Salzburg"),
    "durban-daily": ("za", "zu", "Durban, KwaZulu-Natal"),
}


def write_sites(directory: Path, homes: dict[str, str] | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, (country, language, region) in SITES.items():
        home = (homes or {}).get(name, "http://127.0.0.1:9")
        (directory / f"{name}.yaml").write_text(
            f"name: {name}\ncountry: {country}\nlanguage: {language}\nregion: {region}\n"
            f"home: ['{home}/']\n", encoding="utf-8")
    return directory


def listed(stdout: str) -> set[str]:
    return {line.split()[0] for line in stdout.splitlines()[1:] if line.strip()}


@pytest.mark.parametrize(
    ("countries", "languages", "regions", "expected"),
    [
        (["de"], None, None, {"hamburg-post", "bavaria-bote"}),
        (["DE,at"], None, None, {"hamburg-post", "bavaria-bote", "alpen-blatt"}),
        (None, ["de"], None, {"hamburg-post", "bavaria-bote", "alpen-blatt"}),
        (None, ["de-at"], None, {"alpen-blatt"}),
        (None, None, ["bavaria"], {"bavaria-bote"}),
        (["de"], None, ["kwazulu"], set()),
        (None, ["zu"], ["KwaZulu-Natal"], {"durban-daily"}),
        (None, None, None, set(SITES)),
    ],
)
def test_filter_values_are_alternatives_and_filters_all_hold(
        tmp_path: Path, countries, languages, regions, expected):
    configs = [load_site(p) for p in config_files(write_sites(tmp_path))]
    wanted = SiteFilter.of(countries, languages, regions)
    assert {c.name for c in configs if wanted.matches(c)} == expected


def test_shipped_configs_select_regional_titles():
    configs = [load_site(p) for p in config_files(bundled_sites_dir())]
    nrw = {c.name for c in SiteFilter.of(["de"], None, ["north rhine"]).choose(configs)}
    assert {"westdeutscher-rundfunk", "ruhr-nachrichten"} <= nrw
    assert all(c.country == "za" for c in SiteFilter.of(None, ["zu"]).choose(configs))


def test_sites_lists_schedule_prints_the_same_selection(tmp_path: Path):
    sites = write_sites(tmp_path / "sites")
    listing = run_archiver("sites", "--sites-dir", str(sites), "--country", "de",
                           "--region", "bavaria,hamburg")
    assert listing.returncode == 0, listing.stderr
    assert listed(listing.stdout) == {"hamburg-post", "bavaria-bote"}
    cron = run_archiver("schedule", "--sites-dir", str(sites), "--language", "de",
                        "--country", "at", "--format", "cron", "--output", str(tmp_path / "o"))
    assert cron.returncode == 0, cron.stderr
    jobs = [line for line in cron.stdout.splitlines() if line and not line.startswith("#")]
    assert len(jobs) == 1 and " crawl alpen-blatt " in jobs[0]
    none = run_archiver("sites", "--sites-dir", str(sites), "--country", "fr")
    assert none.returncode == 2
    assert "no site config matches --country fr (countries with configs: at, de, za" in (
        none.stderr)


def test_crawl_all_crawls_only_the_selected_country(tmp_path: Path):
    home = Route(body=b"<html><head><title>Home</title></head><body>news</body></html>")
    robots = Route(body=b"User-agent: *\nDisallow:\n", content_type=b"text/plain")
    with serve({"/": home, "/robots.txt": robots}) as german, \
            serve({"/": home, "/robots.txt": robots}) as other:
        homes = {"hamburg-post": german.base_url, "bavaria-bote": other.base_url,
                 "alpen-blatt": other.base_url, "durban-daily": other.base_url}
        sites = write_sites(tmp_path / "sites", homes)
        crawl = run_archiver("crawl", "--all", "--country", "de", "--region", "hamburg",
                             "--sites-dir", str(sites), "--output", str(tmp_path / "out"), *FAST)
        assert crawl.returncode == 0, crawl.stderr[-3000:]
        assert "/" in german.log.paths()
        assert other.log.paths() == [], "sites outside the selection are not requested"
    refused = run_archiver("crawl", "--all", "--country", "fr", "--sites-dir", str(sites),
                           "--output", str(tmp_path / "out2"))
    assert refused.returncode == 2 and "no site config matches --country fr" in refused.stderr
    assert not (tmp_path / "out2").exists()
