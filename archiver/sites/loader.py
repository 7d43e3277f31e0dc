"""Finding, reading and validating site configs, before any request is made.

A config error must stop a crawl at start-up and say which file, which key and
what is wrong with it: a crawl that runs for hours on a mistyped sitemap URL
is worse than one that never starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import yaml
from pydantic import ValidationError

from archiver.sites.config import SiteConfig
from archiver.yamlfiles import load_yaml

SUFFIXES = (".yaml", ".yml")


def bundled_sites_dir() -> Path:
    """``spiders/sites/`` as installed with the package."""
    return Path(str(files("spiders") / "sites"))


def sites_dir(configured: str | Path | None = None) -> Path:
    """The directory named by ``ARCHIVER_SITES_DIR``, else the bundled configs."""
    return Path(configured) if configured else bundled_sites_dir()


@dataclass(frozen=True)
class ConfigProblem:
    path: Path
    key: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.path}: key {self.key!r}" if self.key else str(self.path)
        return f"{where}: {self.reason}"


class SiteConfigError(ValueError):
    """Site configs that cannot be used: one line per file and bad key, with the reason."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


def _key(loc: tuple) -> str:
    key = ""
    for part in loc:
        key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else str(part))
    return key


def _problems(path: Path, error: ValidationError) -> list[ConfigProblem]:
    problems = []
    for detail in error.errors():
        reason = detail["msg"].removeprefix("Value error, ")
        if detail["type"] == "extra_forbidden":
            reason = "unknown key (misspelt? see the site config table in README.md)"
        elif detail["type"] == "missing":
            reason = "required key is missing"
        elif detail["type"] != "value_error" and not isinstance(detail.get("input"), dict | list):
            reason += f" (got {detail.get('input')!r})"
        problems.append(ConfigProblem(path, _key(detail["loc"]), reason))
    return problems


def load_site(path: Path) -> SiteConfig:
    """Read and validate one config file; :class:`SiteConfigError` if it is unusable."""
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SiteConfigError([ConfigProblem(path, "", f"cannot read: {error.strerror}")]) from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise SiteConfigError([ConfigProblem(path, "", f"not valid YAML: {error}")]) from None
    if not isinstance(data, dict):
        raise SiteConfigError([ConfigProblem(path, "", "expected a mapping of keys to values")])
    try:
        config = SiteConfig.model_validate(data)
    except ValidationError as error:
        raise SiteConfigError(_problems(path, error)) from None
    if config.name != path.stem:
        raise SiteConfigError([ConfigProblem(
            path, "name", f"{config.name!r} must match the file name {path.stem!r}"
        )])
    return config


def config_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.suffix in SUFFIXES)


def site_names(directory: Path) -> list[str]:
    return [path.stem for path in config_files(directory)]


def find_site(name_or_path: str, directory: Path) -> SiteConfig:
    """A site by name (``NAME.yaml`` in ``directory``) or by the path of its file."""
    candidate = Path(name_or_path)
    if candidate.suffix in SUFFIXES:
        return load_site(candidate)
    for suffix in SUFFIXES:
        path = directory / f"{name_or_path}{suffix}"
        if path.is_file():
            return load_site(path)
    known = ", ".join(site_names(directory)) or "none"
    reason = (f"no such site config (sites in {directory}: {known}; "
              "set ARCHIVER_SITES_DIR or --sites-dir to use another directory)")
    raise SiteConfigError([ConfigProblem(directory / f"{name_or_path}.yaml", "", reason)])


def load_sites(names: list[str], directory: Path) -> list[SiteConfig]:
    """Load every named site, collecting all errors so one run reports them all."""
    configs: list[SiteConfig] = []
    problems: list[ConfigProblem] = []
    for name in names:
        try:
            configs.append(find_site(name, directory))
        except SiteConfigError as error:
            problems.extend(error.problems)
    if problems:
        raise SiteConfigError(problems)
    return list({config.name: config for config in configs}.values())
