"""``python -m spiders.generate_sites`` on a small git repository laid out like fundus.

The publisher module below is written for this test in fundus' format (it is
never imported, only parsed): literal facts carry over, run-time ones do not,
curation in an existing config survives a re-run, and ``source`` names the commit.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from archiver.sites import load_site
from spiders.generate_sites import filter_regex, main

MODULE = '''
from fundus.publishers.base_objects import Publisher, PublisherGroup

class DE(metaclass=PublisherGroup):
    default_language = "de"

    Gazette = Publisher(
        name="Münchner Gazette",
        domain="https://www.gazette.example/",
        parser=GazetteParser,
        url_filter=inverse(regex_filter("/artikel/")),
        sources=[
            RSSFeed("https://www.gazette.example/rss"),
            Sitemap("https://www.gazette.example/sitemap.xml", sitemap_filter=regex_filter("x")),
            NewsMap("https://news.gazette.example/news.xml"),
        ]
        + [Sitemap(f"https://www.gazette.example/archive-{y}.xml") for y in range(2000, 2020)],
        impersonate="chrome",
    )

    Gone = Publisher(
        name="Gone",
        domain="https://gone.example/",
        parser=GoneParser,
        sources=[RSSFeed("https://gone.example/rss")],
        deprecated=True,
    )
'''


def commit(repo: Path, module: str, when: str) -> str:
    path = repo / "src" / "fundus" / "publishers" / "de" / "__init__.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(module, encoding="utf-8")
    env = {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when, "PATH": "/usr/bin:/bin",
           "HOME": str(repo)}
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "add", "-A"], check=True, env=env)
    subprocess.run([*git, "commit", "-qm", "publishers"], check=True, env=env)
    return subprocess.run([*git, "rev-parse", "HEAD"], check=True, env=env, text=True,
                          capture_output=True).stdout.strip()


@pytest.fixture
def fundus(tmp_path: Path) -> Path:
    repo = tmp_path / "fundus"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    return repo


def test_literal_facts_with_their_source_and_nothing_else(tmp_path: Path, fundus: Path,
                                                          capsys: pytest.CaptureFixture[str]):
    head = commit(fundus, MODULE, "2026-08-05T12:00:00+00:00")
    sites = tmp_path / "sites"
    sites.mkdir()
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "labels.jsonl").write_text(json.dumps({"country": "DE", "publisher": "Gazette"}))
    assert main([str(fundus), "--sites-dir", str(sites), "--corpus", str(corpus)]) == 0
    assert "skipped  DE.Gone: deprecated in fundus" in capsys.readouterr().out
    assert [p.name for p in sites.iterdir()] == ["munchner-gazette.yaml"]
    path = sites / "munchner-gazette.yaml"
    config = load_site(path)
    assert (config.country, config.region, config.language) == ("de", "Germany", "de")
    assert config.source is not None
    assert (config.source.repository, config.source.path, config.source.commit,
            config.source.publisher, str(config.source.date)) == (
        "flairNLP/fundus", "src/fundus/publishers/de/__init__.py", head, "DE.Gazette",
        "2026-08-05")
    assert config.verified
    assert config.home == ["https://www.gazette.example/"]
    assert config.feeds == ["https://www.gazette.example/rss"]
    assert config.sitemaps == ["https://news.gazette.example/news.xml",
                               "https://www.gazette.example/sitemap.xml"], "news first, no archives"
    assert config.allowed_domains == ["gazette.example"]
    text = path.read_text(encoding="utf-8")
    assert "1 sitemap(s) fundus builds at run time" in text
    assert "impersonating a browser" in text
    (deny,) = config.articles.deny
    assert re.search(deny, "https://www.gazette.example/thema/bayern/")
    assert not re.search(deny, "https://www.gazette.example/artikel/12345-stadtrat")


def test_rerun_refreshes_facts_and_keeps_curation(tmp_path: Path, fundus: Path):
    commit(fundus, MODULE, "2026-08-05T12:00:00+00:00")
    sites = tmp_path / "sites"
    sites.mkdir()
    assert main([str(fundus), "--sites-dir", str(sites)]) == 0
    path = sites / "munchner-gazette.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["sections"] = ["https://www.gazette.example/bayern/"]
    data["paywall"] = {"prompt_phrases": ["Weiterlesen mit Gazette+"]}
    data["feeds"] = ["https://www.gazette.example/from-memory.xml"]
    path.write_text("# Curated by hand.\n" + yaml.safe_dump(data, allow_unicode=True))
    head = commit(fundus, MODULE.replace("/rss", "/rss/all"), "2026-09-01T12:00:00+00:00")
    assert main([str(fundus), "--sites-dir", str(sites)]) == 0
    config = load_site(path)
    assert config.feeds == ["https://www.gazette.example/rss/all"], "facts replace memory"
    assert config.sections == ["https://www.gazette.example/bayern/"]
    assert config.paywall.prompt_phrases == ["Weiterlesen mit Gazette+"]
    assert config.source is not None and config.source.commit == head
    assert str(config.source.date) == "2026-09-01"
    assert not config.verified, "no corpus given: nothing checked"
    assert path.read_text(encoding="utf-8").startswith("# Curated by hand.\n")
    assert len(config.articles.deny) == 1, "the fact's filter is not added twice"


@pytest.mark.parametrize(
    ("source", "dropped", "kept"),
    [
        ("regex_filter('/video/')", ["https://x.example/video/1"], ["https://x.example/a/1"]),
        ("inverse(regex_filter('/a/'))", ["https://x.example/video/1"], ["https://x.example/a/1"]),
        ("lor(regex_filter('/video/'), regex_filter('/live'))",
         ["https://x.example/video/1", "https://x.example/live-ticker"], ["https://x.example/a/1"]),
        ("land(regex_filter('x.example'), inverse(regex_filter('/a/')))",
         ["https://x.example/video/1"], ["https://x.example/a/1", "https://y.example/video/1"]),
    ],
)
def test_fundus_url_filters_become_one_regex_with_the_same_meaning(
        source: str, dropped: list[str], kept: list[str]):
    regex = filter_regex(ast.parse(source, mode="eval").body)
    assert regex is not None
    assert all(re.search(regex, url) for url in dropped)
    assert not any(re.search(regex, url) for url in kept)


def test_filters_that_are_not_literal_are_not_carried_over():
    assert filter_regex(ast.parse("regex_filter(PATTERN)", mode="eval").body) is None
    assert filter_regex(ast.parse("lambda url: True", mode="eval").body) is None
