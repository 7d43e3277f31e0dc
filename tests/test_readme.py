"""The README against the code (issue 15): every example command runs, every option and
setting it names exists, every default it states is the code's.

Each command in the README's ``sh`` blocks is either run here, against loopback
sites (a command that names live news sites gets loopback copies of those sites'
configs through ``--sites-dir``; nothing here reaches the network), or listed in
``COVERED_ELSEWHERE`` with the test that runs it or why no test can. A new example
that is neither fails :func:`test_every_example_command_is_run_or_covered`.
"""

from __future__ import annotations

import argparse
import re
import shlex
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import get_args

import pytest
import yaml

from archiver.addon import DEFAULTS
from archiver.cli import build_parser
from archiver.demo.server import Route, serve
from archiver.setting_types import default_of
from archiver.sites import SiteFilter, bundled_sites_dir, config_files, load_site
from tests.crawling import FAST, run_archiver

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")

ENVIRONMENT_NAMES = {
    "ARCHIVER_PYWB_VENV": "archiver/toolkit/replay.py VENV_ENV",
    "ARCHIVER_THIRDPARTY_WARCS": "tests/interop/test_thirdparty.py",
}
"""``ARCHIVER_*`` names the README gives that are environment variables, not settings."""

COVERED_ELSEWHERE = {
    "pip install -e .": ".ci/run (pip install -e '.[test]' on a clean checkout)",
    "pip install -e '.[test]'": ".ci/run",
    "python -m pytest": ".ci/run: this test suite",
    "git clone https://github.com/flairNLP/fundus ../fundus": "network: not in tests",
    "python -m spiders.generate_sites ../fundus --corpus ../shared/corpus/fundus":
        "tests/discovery/test_generate_sites.py::test_literal_facts_with_their_source_and_"
        "nothing_else (its main(), with --corpus, on a generated fundus checkout)",
    "git diff spiders/sites/": "plain git",
    "archiver seed --frontier redis://10.0.0.5:6379/0 SITE...":
        "tests/scaleout/test_news_sites.py::test_two_workers_discover_a_configured_site",
    "archiver crawl --frontier redis://10.0.0.5:6379/0 --output /srv/archive "
    "-s ARCHIVER_CATALOG_URL=postgresql+psycopg://archiver@10.0.0.6/archive "
    "-s ARCHIVER_WARC_UPLOAD_URL=s3://news-archive/warcs/":
        "the two apart: tests/scaleout/test_frontier.py::test_two_workers_share_one_frontier "
        "(crawl --frontier with -s ARCHIVER_CATALOG_URL), tests/scaleout/test_upload.py::"
        "test_rotated_warcs_are_uploaded_verified_and_removed_and_read_back (the upload)",
}


def example_commands(text: str) -> list[str]:
    """The commands of the README's ``sh`` blocks: continuation lines joined, comments
    dropped, ``a && b`` split into its commands."""
    commands = []
    for block in re.findall(r"^```(?:sh|console|bash)\n(.*?)^```", text, re.S | re.M):
        for line in block.replace("\\\n", " ").splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if line and not line.startswith("#"):
                commands += [" ".join(part.split()) for part in line.split(" && ")]
    return commands


def comment_of(command: str) -> str:
    """The comment after ``command`` in the README (what it is said to print)."""
    line = next(line for line in README.splitlines()
                if " ".join(line.split()).startswith(command + " #"))
    return line.split("#", 1)[1].strip()


@dataclass
class Loopback:
    """Loopback copies of site configs, all served by one local server."""

    sites_dir: Path
    base_url: str
    requested: Callable[[], list[str]]

    def homes_fetched(self) -> set[str]:
        return {path.strip("/") for path in self.requested() if path.count("/") == 2}


def loopback_copy(name: str, directory: Path, base_url: str) -> None:
    """A bundled config with its facts pointing at ``base_url/NAME/``: the same name,
    country, language, region and article rules, no live URL."""
    config = yaml.safe_load((bundled_sites_dir() / f"{name}.yaml").read_text("utf-8"))
    for key in ("sections", "feeds", "sitemaps", "allowed_domains", "politeness",
                "requisites", "deny"):
        config.pop(key, None)
    config["home"] = [f"{base_url}/{name}/"]
    (directory / f"{name}.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")


@pytest.fixture
def loopback(tmp_path: Path):
    names = [path.stem for path in config_files(bundled_sites_dir())]
    page = b"<html><head><title>Home</title></head><body>news</body></html>"
    routes = {f"/{name}/": Route(body=page) for name in names}
    routes["/robots.txt"] = Route(body=b"User-agent: *\nDisallow:\n", content_type=b"text/plain")
    with serve(routes) as site:
        directory = tmp_path / "loopback-sites"
        directory.mkdir()
        for name in names:
            loopback_copy(name, directory, site.base_url)
        yield Loopback(directory, site.base_url, site.log.paths)


def archiver(command: str, *extra: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    argv = shlex.split(command)
    assert argv[0] == "archiver"
    return run_archiver(*argv[1:], *extra, cwd=cwd)


def bundled_selection(**wanted: list[str]) -> list[str]:
    configs = [load_site(path) for path in config_files(bundled_sites_dir())]
    return sorted(config.name for config in SiteFilter.of(
        wanted.get("country"), wanted.get("language"), wanted.get("region")).choose(configs))


# One function per example run here: (command, tmp_path, loopback) -> None.
Runner = Callable[[str, Path, Loopback], None]
RUNS: dict[str, Runner] = {}


def runs(*commands: str) -> Callable[[Runner], Runner]:
    def register(function: Runner) -> Runner:
        for command in commands:
            RUNS[command] = function
        return function

    return register


@runs("archiver demo")
def _demo(command: str, tmp_path: Path, _: Loopback) -> None:
    process = archiver(command, cwd=tmp_path)
    assert process.returncode == 0, process.stderr[-2000:]
    assert list((tmp_path / "output" / "demo" / "warc").glob("*.warc.gz"))
    assert "WARC check:" in process.stdout and " ok (" in process.stdout
    assert "next, try:\n  archiver runs --output output/demo" in process.stdout


@runs("archiver sites")
def _sites(command: str, tmp_path: Path, _: Loopback) -> None:
    process = archiver(command, cwd=tmp_path)
    assert process.returncode == 0, process.stderr
    rows = [line.split() for line in process.stdout.splitlines()[1:]]
    shipped = re.search(r"Shipped configs: (\d+) sites in (\d+) countries", README)
    assert shipped, "the README counts the shipped configs"
    assert len(rows) == int(shipped[1]), "as many sites as the README says"
    assert len({row[1] for row in rows}) == int(shipped[2]), "in as many countries"


@runs("archiver sites validate")
def _validate(command: str, tmp_path: Path, _: Loopback) -> None:
    process = archiver(command, cwd=tmp_path)
    assert process.returncode == 0, process.stderr
    count = len(config_files(bundled_sites_dir()))
    assert process.stdout.splitlines()[-1] == f"{count} of {count} site configs valid"


@runs("archiver sites --country de --region berlin")
def _sites_selection(command: str, tmp_path: Path, _: Loopback) -> None:
    process = archiver(command, cwd=tmp_path)
    assert process.returncode == 0, process.stderr
    said = {title.strip() for title in comment_of(command).split(",")}
    names = bundled_selection(country=["de"], region=["berlin"])
    titles = {load_site(bundled_sites_dir() / f"{n}.yaml").title for n in names}
    assert titles == said, f"the README says {said}, the configs select {titles}"
    for title in said:
        assert title in process.stdout


@runs("archiver crawl le-monde al-monitor --since 2d --output output/news",
      "archiver crawl --all --since 12h",
      "archiver crawl --all --country za --language zu --since 1d")
def _crawl(command: str, tmp_path: Path, loopback: Loopback) -> None:
    args = argparse.Namespace(**vars(build_parser().parse_args(shlex.split(command)[1:])))
    sites_dir = loopback.sites_dir
    if args.all and not (args.country or args.language or args.region):
        sites_dir = tmp_path / "two-sites"  # --all, a short run: two configs
        sites_dir.mkdir()
        for name in ("le-monde", "al-monitor"):
            loopback_copy(name, sites_dir, loopback.base_url)
    expected = set(args.sites) or set(bundled_selection(
        country=args.country, language=args.language, region=args.region)) & {
        path.stem for path in config_files(sites_dir)}
    process = archiver(command, "--sites-dir", str(sites_dir), *FAST, cwd=tmp_path)
    assert process.returncode == 0, process.stderr[-3000:]
    assert loopback.homes_fetched() == expected
    output = tmp_path / args.output  # an absolute --output stays itself
    assert list((output / "warc").glob("*.warc.gz"))


@runs("scrapy crawl news -a site=le-monde -a since=2d")
def _scrapy_crawl(command: str, tmp_path: Path, loopback: Loopback) -> None:
    argv = [sys.executable, "-m", *shlex.split(command),
            "-s", f"ARCHIVER_SITES_DIR={loopback.sites_dir}",
            "-s", f"ARCHIVER_OUTPUT_DIR={tmp_path / 'out'}", *FAST]
    process = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert process.returncode == 0, process.stderr[-3000:]
    assert loopback.homes_fetched() == {"le-monde"}
    assert list((tmp_path / "out" / "warc").glob("*.warc.gz"))


@runs("archiver schedule --country at,ch --every 6h --format systemd")
def _schedule(command: str, tmp_path: Path, _: Loopback) -> None:
    process = archiver(command, cwd=tmp_path)
    assert process.returncode == 0, process.stderr
    units = set(re.findall(r"^# /etc/systemd/system/archiver-(\S+)\.timer$", process.stdout,
                           re.M))
    assert units == set(bundled_selection(country=["at", "ch"]))
    assert "crontab" not in process.stdout, "--format systemd: no cron lines"


@runs("archiver sites probe hamburger-abendblatt le-monde",
      "archiver sites probe --country za --stale-after 2d")
def _probe(command: str, tmp_path: Path, loopback: Loopback) -> None:
    args = build_parser().parse_args(shlex.split(command)[1:])
    process = archiver(command, "--sites-dir", str(loopback.sites_dir), *FAST, cwd=tmp_path)
    assert process.returncode == 0, process.stderr[-3000:]
    names = [str(f) for f in args.files] or bundled_selection(country=args.country)
    listed = {line.split()[0] for line in process.stdout.splitlines()[1:-1]}
    assert listed == set(names)
    assert list((tmp_path / "output" / "probe" / "reports").glob("probe-*.jsonl"))


def test_every_example_command_is_run_or_covered():
    commands = example_commands(README)
    assert len(commands) > 10, "the README's sh blocks were found"
    unknown = [c for c in commands if c not in RUNS and c not in COVERED_ELSEWHERE]
    assert unknown == [], "README examples neither run in tests/test_readme.py nor listed in "\
        "COVERED_ELSEWHERE"
    stale = sorted((set(RUNS) | set(COVERED_ELSEWHERE)) - set(commands))
    assert stale == [], "commands no longer in the README"


@pytest.mark.parametrize("command", sorted(RUNS))
def test_example_command(command: str, tmp_path: Path, loopback: Loopback):
    RUNS[command](command, tmp_path, loopback)


def inline_commands(text: str) -> list[str]:
    return [span for span in re.findall(r"`([^`\n]+)`", text) if span.startswith("archiver ")]


def test_every_option_the_readme_names_exists():
    """Each ``archiver VERB ...`` the README mentions, in a table or a sentence, names a
    verb and options that verb has."""
    parser = build_parser()
    verbs = parser._subparsers._group_actions[0].choices
    top = {option for action in parser._actions for option in action.option_strings}
    spans = inline_commands(README) + [c for c in example_commands(README)
                                       if c.startswith("archiver ")]
    problems = []
    for span in spans:
        words = span.replace("\\|", " ").split()
        verb = words[1]
        if verb in top or verb.rstrip(":").isupper():  # `archiver --help`, `archiver VERB`
            continue
        if verb not in verbs:
            problems.append(f"{span}: no verb {verb!r}")
            continue
        known = {option for action in verbs[verb]._actions
                 for option in action.option_strings}
        for word in words[2:]:
            option = re.sub(r"[\[\](){}|.,]+$|^[\[\](|]+", "", word).split("=")[0]
            if option.startswith("-") and option != "-" and option not in known:
                problems.append(f"{span}: archiver {verb} has no {option}")
    assert problems == []


def test_every_setting_the_readme_names_exists_and_is_documented():
    named = set(re.findall(r"\bARCHIVER_[A-Z0-9_]*[A-Z0-9]\b", README))
    unknown = sorted(named - set(DEFAULTS) - set(ENVIRONMENT_NAMES))
    assert unknown == [], "ARCHIVER_* names the README gives that no code reads"
    rows = set(re.findall(r"^\| `(ARCHIVER_[A-Z0-9_]+)` \|", README, re.M))
    undocumented = sorted(set(DEFAULTS) - rows)
    assert undocumented == [], "settings missing from the README's settings tables"


def readme_default(cell: str) -> str | None:
    """The literal a default cell starts with (```1024` (1 KiB)``), or None for prose
    (``the crawl id``) and templates (```{ARCHIVER_OUTPUT_DIR}/warc```)."""
    literal = re.match(r"`([^`]*)`", cell.strip())
    if cell.strip() in ("unset", "empty"):
        return ""
    return literal[1] if literal and "{" not in literal[1] else None


def test_the_settings_tables_give_the_code_defaults():
    wrong = []
    for name, cell in re.findall(r"^\| `(ARCHIVER_[A-Z0-9_]+)` \| ([^|]+) \|", README, re.M):
        said = readme_default(cell)
        if said is None or name not in DEFAULTS:
            continue
        default = default_of(DEFAULTS[name])
        if default in (None, ""):
            ok = said == ""
        elif isinstance(default, bool):
            ok = said == str(default)
        elif isinstance(default, int | float):
            ok = re.fullmatch(r"[\d.]+", said) is not None and float(said) == default
        else:
            ok = said == str(default)
        if not ok:
            wrong.append(f"{name}: README {cell.strip()!r}, code {default!r}")
    assert wrong == []


def test_every_benchmark_command_the_readme_names_exists():
    """``python -m benchmarks.NAME [--flag N]``: the module runs and takes those flags."""
    spans = sorted(set(re.findall(r"`python -m (benchmarks\.[a-z_]+)([^`]*)`", README)))
    assert len(spans) >= 5, "the README names its benchmarks"
    for module, rest in spans:
        process = subprocess.run([sys.executable, "-m", module, "--help"], cwd=ROOT,
                                 capture_output=True, text=True, timeout=120)
        assert process.returncode == 0, (module, process.stderr[-1000:])
        for word in re.findall(r"--[a-z-]+|(?<![-\w])[a-z]+(?![-\w])", rest):
            assert word in process.stdout, f"python -m {module} --help does not know {word}"


def table_keys(heading: str) -> list[str]:
    """The first cells (code spans) of the tables in the README section under ``heading``."""
    section = README.split(heading, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([^`]+)`", section, re.M)


def test_every_item_field_is_documented():
    from dataclasses import fields

    from archiver.items import ArticleItem

    documented = " ".join(re.findall(r"^\| ([^|]+) \|", README.split("## Item fields")[1]
                                     .split("\n## ")[0], re.M))
    missing = [f.name for f in fields(ArticleItem) if f"`{f.name}`" not in documented]
    assert missing == [], "ArticleItem fields missing from the README's Item fields table"


def test_every_site_config_key_is_documented():
    from pydantic import BaseModel

    from archiver.sites.config import SiteConfig

    cells = " ".join(re.findall(r"^\| ([^|]+) \|", README.split("## News sites")[1]
                                .split("\n## ")[0], re.M))
    missing = []
    for name, info in SiteConfig.model_fields.items():
        section = next((t for t in (info.annotation, *get_args(info.annotation))
                        if isinstance(t, type) and issubclass(t, BaseModel)), None)
        if section is not None:
            for sub in section.model_fields:
                if f"`{name}.{sub}`" not in cells and f"`.{sub}`" not in cells:
                    missing.append(f"{name}.{sub}")
        elif f"`{name}`" not in cells:
            missing.append(name)
    assert missing == [], "site config keys missing from the README's key table"


def test_the_output_layout_names_every_file_and_directory():
    import archiver.layout as layout

    block = README.split("## Output layout", 1)[1].split("```")[1]
    names = [value for name, value in vars(layout).items()
             if name.endswith(("_FILENAME", "_DIRNAME"))]
    assert len(names) >= 6
    missing = [n for n in names if not re.search(rf"(^|\s){re.escape(n)}(/|,|\s)", block, re.M)]
    assert missing == [], "archiver.layout names missing from the README's Output layout"


def slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def test_every_link_into_the_readme_has_its_heading():
    anchors = {slug(h) for h in re.findall(r"^#{2,4} (.+)$", README, re.M)}
    links = set(re.findall(r"\]\(#([^)]+)\)", README))
    assert links and links <= anchors, sorted(links - anchors)
    files = set(re.findall(r"\]\(((?!https?:|#)[^)]+)\)", README))
    assert all((ROOT / f).exists() for f in files), files


def test_the_counts_the_readme_gives_are_the_code_s():
    from archiver.sites import load_site

    languages = len(list((ROOT / "archiver" / "languages").glob("*.yaml")))
    assert f"prompts in {languages} languages" in README
    configs = [load_site(p) for p in config_files(bundled_sites_dir())]
    from_fundus = sum(c.source is not None and c.source.repository == "flairNLP/fundus"
                      for c in configs)
    assert f"\n{from_fundus} are generated from the publisher facts" in README


def test_every_path_and_stats_key_the_readme_names_exists():
    """``archiver/...``, ``tests/...``, ``benchmarks/...`` spans are files or directories of
    the repository, or (``archiver/limits/truncated_time``) stats keys the code counts."""
    source = "\n".join(path.read_text(encoding="utf-8")
                       for folder in ("archiver", "spiders")
                       for path in (ROOT / folder).rglob("*.py"))
    missing = []
    for span in set(re.findall(r"`((?:archiver|tests|benchmarks|spiders|\.ci)/[^`\s]*)`",
                               README)):
        path = span.split("::")[0]
        if re.search(r"[*{<|]", path):  # a pattern or template: DIR/{crawl-id}.log
            continue
        if not (ROOT / path).exists() and f'"{path}"' not in source:
            missing.append(span)
    assert missing == [], "paths and stats keys the README names that do not exist"


def test_every_test_module_the_readme_names_exists():
    named = set(re.findall(r"`(test_[a-z_]+)`", README))
    assert named, "the reliability table names its tests"
    missing = [n for n in named if not list((ROOT / "tests").rglob(f"{n}.py"))]
    assert missing == []
