"""Write site configs (``spiders/sites/*.yaml``) from fundus' maintained publisher facts.

    python -m spiders.generate_sites PATH-TO-FUNDUS-CHECKOUT [--sites-dir DIR] [--corpus DIR]

fundus (github.com/flairNLP/fundus) keeps, per publisher, its domain, RSS/Atom
feeds, sitemaps, Google News sitemaps and URL filters, fixed by its
maintainers whenever a site changes. Those are facts; fundus' code is not ours
to copy, so this script never imports it: it reads the publisher modules of one
commit with ``git show`` and walks their syntax tree (``ast``), taking only
literal URLs and ``regex_filter`` patterns. Sources built at run time (monthly
archive sitemaps from f-strings) are skipped. Each config names that commit in
its ``source:`` key.

Facts are regenerated on every run; what people add by hand (sections, article
patterns, politeness, requisites, paywall hints, the header comment) is kept, so
a curated config can be refreshed from upstream without losing its curation.
The script is only for maintainers: crawls read the YAML files.
"""

from __future__ import annotations

import argparse
import ast
import datetime
import json
import re
import subprocess
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from archiver.sites import SiteConfigError, bundled_sites_dir, config_files, load_site

REPOSITORY = "flairNLP/fundus"
PUBLISHERS = "src/fundus/publishers"
KNOWLEDGE = Path(__file__).with_name("generate_sites.yaml")
SOURCE_CLASSES = {"RSSFeed": "feeds", "NewsMap": "news_sitemaps", "Sitemap": "sitemaps"}
# Keys the generator owns; every other key of an existing config is curated and kept.
FACT_KEYS = ("country", "region", "language", "source", "verified", "home", "feeds", "sitemaps")
ORDER = ("name", "title", "country", "region", "language", "source", "verified", "home",
         "sections", "feeds", "sitemaps", "allowed_domains", "deny", "articles", "discovery",
         "politeness", "requisites", "paywall")


@dataclass
class Publisher:
    """One fundus publisher, as far as literal facts in its definition go."""

    key: str  # COUNTRY.Attribute, as fundus names it
    folder: str
    path: str
    name: str
    domain: str
    language: str
    feeds: list[str] = field(default_factory=list)
    news_sitemaps: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    not_articles: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    deprecated: bool = False


def _git(checkout: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(checkout), *args], check=True,
                          capture_output=True, text=True).stdout


def filter_regex(node: ast.expr) -> str | None:
    """A regex that matches exactly the URLs a fundus URL filter drops (None: not literal).

    fundus filters return True for URLs to skip: ``regex_filter(R)`` drops URLs
    where R is found, ``inverse``, ``lor`` and ``land`` combine them. The
    combinations become lookaheads so a single ``re.search`` decides.
    """
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
        return None
    parts = [filter_regex(arg) for arg in node.args]
    if node.func.id == "regex_filter" and len(node.args) == 1:
        arg = node.args[0]
        return arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None
    if None in parts or not parts:
        return None
    if node.func.id == "inverse" and len(parts) == 1:
        return f"^(?!.*(?:{parts[0]}))"
    if node.func.id == "lor":
        return "|".join(f"(?:{part})" for part in parts)
    if node.func.id == "land":
        return "^" + "".join(f"(?=.*(?:{part}))" for part in parts)
    return None


def _publisher(call: ast.Call, key: str, folder: str, path: str, language: str) -> Publisher:
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    publisher = Publisher(key=key, folder=folder, path=path, language=language,
                          name=ast.literal_eval(keywords["name"]),
                          domain=ast.literal_eval(keywords["domain"]),
                          deprecated=bool(keywords.get("deprecated")
                                          and ast.literal_eval(keywords["deprecated"])))
    skipped = 0
    for node in ast.walk(keywords["sources"]):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in SOURCE_CLASSES:
            url = node.args[0] if node.args else None
            if isinstance(url, ast.Constant) and isinstance(url.value, str):
                getattr(publisher, SOURCE_CLASSES[node.func.id]).append(url.value)
            else:
                skipped += 1
    if skipped:
        publisher.notes.append(f"{skipped} sitemap(s) fundus builds at run time (dated "
                               "archives) are left out")
    if "url_filter" in keywords:
        regex = filter_regex(keywords["url_filter"])
        if regex is None:
            publisher.notes.append("fundus' URL filter is not a literal pattern: not carried over")
        else:
            publisher.not_articles.append(regex)
    if "impersonate" in keywords:
        publisher.notes.append("fundus fetches this site impersonating a browser; we send our "
                               "own User-Agent (detect, never bypass), so expect refusals")
    if "suppress_robots" in keywords:
        publisher.notes.append("fundus ignores this site's robots.txt; we obey it")
    return publisher


def read_publishers(checkout: Path, commit: str) -> list[Publisher]:
    """Every publisher defined in ``src/fundus/publishers/<folder>/__init__.py`` at ``commit``."""
    found = []
    listing = _git(checkout, "ls-tree", "--name-only", f"{commit}:{PUBLISHERS}").split()
    for folder in sorted(listing):
        path = f"{PUBLISHERS}/{folder}/__init__.py"
        try:
            tree = ast.parse(_git(checkout, "show", f"{commit}:{path}"))
        except subprocess.CalledProcessError:
            continue  # not a country package (base_objects.py, shared/)
        for group in (n for n in tree.body if isinstance(n, ast.ClassDef)):
            language = next((st.value.value for st in group.body
                             if isinstance(st, ast.Assign) and isinstance(st.value, ast.Constant)
                             and getattr(st.targets[0], "id", "") == "default_language"), "")
            for st in group.body:
                if (isinstance(st, ast.Assign) and isinstance(st.value, ast.Call)
                        and getattr(st.value.func, "id", "") == "Publisher"):
                    key = f"{group.name}.{st.targets[0].id}"  # type: ignore[attr-defined]
                    found.append(_publisher(st.value, key, folder, path, language))
    return found


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _attribute_slug(key: str) -> str:
    attribute = key.split(".", 1)[1]
    return slug(re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", attribute))


def _existing(directory: Path) -> dict[str, Path]:
    """Configs already in the directory, by fundus key (from ``source``) and by name."""
    known: dict[str, Path] = {}
    for path in config_files(directory):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        publisher = (data.get("source") or {}).get("publisher")
        if publisher:
            known[publisher] = path
        known.setdefault(path.stem, path)
    return known


def _header(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line for line in lines[:next((i for i, line in enumerate(lines)
                                          if not line.startswith("#")), len(lines))]]


def _new_header(publisher: Publisher, region: str) -> list[str]:
    lines = [f"# {publisher.name} ({region}). Facts (home, feeds, sitemaps, URL filters) from",
             f"# fundus {publisher.key}, written by spiders/generate_sites.py; keys it does not",
             "# own (sections, articles, politeness, requisites, paywall ...) are kept on re-runs."]
    return lines + [f"# Note: {note}." for note in publisher.notes]


def site_domains(urls: list[str], curated: list[str]) -> list[str]:
    """The hosts of the home page and of the sitemaps (which list the site's own
    articles), without ``www.``, plus hand-added hosts; subdomains of a listed
    host are left out, as ``allowed_domains`` includes them anyway."""
    hosts = [(urlsplit(url).hostname or "").removeprefix("www.") for url in urls]
    hosts = _unique([*curated, *hosts])
    return [h for h in hosts if not any(h.endswith("." + other) for other in hosts)]


def _unique(urls: list[str]) -> list[str]:
    return list(dict.fromkeys(urls))


def build(publisher: Publisher, knowledge: dict[str, Any], verified: bool, commit: str,
          date: datetime.date, existing: dict[str, Any]) -> dict[str, Any]:
    """One config: fundus' facts, our knowledge of the title, and the existing curation."""
    country, country_name = knowledge["countries"][publisher.folder]
    config: dict[str, Any] = {
        "title": publisher.name,
        **{k: v for k, v in existing.items() if k not in FACT_KEYS},
        "allowed_domains": site_domains(
            [publisher.domain, *publisher.news_sitemaps, *publisher.sitemaps],
            existing.get("allowed_domains", [])),
        "country": country,
        "region": knowledge["regions"].get(publisher.key, country_name),
        "language": knowledge["languages"].get(publisher.key, publisher.language),
        "source": {"repository": REPOSITORY, "path": publisher.path, "commit": commit,
                   "publisher": publisher.key, "date": date},
        "verified": verified,
        "home": [publisher.domain if publisher.domain.count("/") > 2 else publisher.domain + "/"],
        "feeds": _unique(publisher.feeds),
        "sitemaps": _unique(publisher.news_sitemaps + publisher.sitemaps),
    }
    if publisher.not_articles and publisher.key not in knowledge["ignore_filters"]:
        articles = dict(config.get("articles") or {})
        articles["deny"] = _unique([*articles.get("deny", []), *publisher.not_articles])
        config["articles"] = articles
    return {key: config[key] for key in ORDER if config.get(key) not in (None, [], {})
            or key == "verified"}


def corpus_publishers(corpus: Path | None) -> set[str] | None:
    """``COUNTRY.Attribute`` of every publisher with saved pages (None: no corpus given)."""
    if corpus is None:
        return None
    labels = (corpus / "labels.jsonl").read_text(encoding="utf-8").splitlines()
    return {f"{label['country']}.{label['publisher']}" for label in map(json.loads, labels)}


def _dump(header: list[str], config: dict[str, Any]) -> str:
    body = yaml.safe_dump(config, sort_keys=False, allow_unicode=True, width=100)
    return "\n".join([*header, body])


def generate(checkout: Path, directory: Path, corpus: Path | None) -> list[str]:
    """Write one config per live fundus publisher; returns one line per file written."""
    commit = _git(checkout, "rev-parse", "HEAD").strip()
    date = datetime.date.fromisoformat(_git(checkout, "log", "-1", "--format=%cs", commit).strip())
    knowledge = yaml.safe_load(KNOWLEDGE.read_text(encoding="utf-8"))
    checked = corpus_publishers(corpus)
    existing = _existing(directory)
    taken = {path.stem: key for key, path in existing.items() if "." in key}
    report = []
    for publisher in read_publishers(checkout, commit):
        if publisher.deprecated:
            report.append(f"skipped  {publisher.key}: deprecated in fundus")
            continue
        path = existing.get(publisher.key)
        if path is None:
            name = slug(publisher.name)
            if len(name) < 3 or taken.get(name, publisher.key) != publisher.key:
                name = _attribute_slug(publisher.key)
            path = existing.get(name) or directory / f"{name}.yaml"
        taken[path.stem] = publisher.key
        old = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
        verified = (publisher.key in checked) if checked is not None else bool(
            old.get("verified"))
        config = {"name": path.stem, **build(publisher, knowledge, verified, commit, date, old)}
        header = _header(path) if path.exists() else _new_header(publisher, config["region"])
        path.write_text(_dump(header, config), encoding="utf-8")
        load_site(path)
        report.append(f"wrote    {path} ({publisher.key})")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m spiders.generate_sites",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("checkout", type=Path, help="a git clone of flairNLP/fundus")
    parser.add_argument("--sites-dir", type=Path, default=bundled_sites_dir(), metavar="DIR")
    parser.add_argument("--corpus", type=Path, metavar="DIR",
                        help="fundus corpus (labels.jsonl): publishers with saved pages get "
                        "verified: true, the others false")
    args = parser.parse_args(argv)
    try:
        lines = generate(args.checkout, args.sites_dir, args.corpus)
    except subprocess.CalledProcessError as error:
        print(f"{args.checkout}: not a fundus git checkout ({error.stderr.strip()})",
              file=sys.stderr)
        return 2
    except SiteConfigError as error:
        print(f"generated config is invalid: {error}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
