"""Choosing sites by country, language and region, for every verb that takes a selection.

``archiver sites``, ``archiver crawl --all`` and ``archiver schedule`` accept the
same ``--country``, ``--language`` and ``--region`` filters; this module is
their one implementation, so a selection listed is exactly the one crawled
and scheduled. Values of one filter are alternatives (``--country de,at``),
different filters must all hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from archiver.sites.config import SiteConfig
from archiver.sites.loader import load_sites


def _values(given: list[str] | None) -> tuple[str, ...]:
    """``["de,at", "CH"]`` -> ``("de", "at", "ch")``: repeated or comma-separated."""
    return tuple(v.strip().lower() for item in given or [] for v in item.split(",") if v.strip())


@dataclass(frozen=True)
class SiteFilter:
    countries: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()

    @classmethod
    def of(cls, countries: list[str] | None = None, languages: list[str] | None = None,
           regions: list[str] | None = None) -> SiteFilter:
        return cls(_values(countries), _values(languages), _values(regions))

    def __bool__(self) -> bool:
        return bool(self.countries or self.languages or self.regions)

    def __str__(self) -> str:
        parts = [("--country", self.countries), ("--language", self.languages),
                 ("--region", self.regions)]
        return " ".join(f"{flag} {','.join(values)}" for flag, values in parts if values)

    def matches(self, config: SiteConfig) -> bool:
        """Country by ISO code, language by its primary subtag (``pt`` takes ``pt-BR``),
        region by a case-insensitive part of its name (``bavaria``, ``north rhine``)."""
        language = (config.language or "").lower()
        return (
            (not self.countries or (config.country or "") in self.countries)
            and (not self.languages or any(language == want or language.startswith(want + "-")
                                           for want in self.languages))
            and (not self.regions or any(want in config.region.lower() for want in self.regions))
        )

    def choose(self, configs: list[SiteConfig]) -> list[SiteConfig]:
        """The matching configs; ValueError (a usage error) when none match."""
        chosen = [config for config in configs if self.matches(config)]
        if self and not chosen:
            countries = ", ".join(sorted({c.country for c in configs if c.country})) or "none"
            raise ValueError(f"no site config matches {self} (countries with configs: "
                             f"{countries}; see `archiver sites`)")
        return chosen


def select_sites(names: list[str], directory: Path, wanted: SiteFilter) -> list[str]:
    """The site names (or config paths) among ``names`` that ``wanted`` keeps, in order.

    Every named config is validated first, so a bad file is reported even when the
    filter would have left it out.
    """
    kept = {config.name for config in wanted.choose(load_sites(names, directory))}
    return [name for name in names if Path(name).stem in kept]
