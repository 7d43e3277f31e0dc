"""The schema of a site config: one YAML file per news site in ``spiders/sites/``.

Per-publisher knowledge (where the feeds and sitemaps are, which URLs are
articles, how the paywall looks) lives in data, not in spider code: adding a
site is adding a file. The schema forbids unknown keys so that a typo
(``sitemap:`` for ``sitemaps:``) is refused instead of silently ignored.
"""

from __future__ import annotations

import datetime
import re
from typing import Annotated, Literal, get_args
from urllib.parse import urlsplit

from cssselect import GenericTranslator, SelectorError
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from archiver.paywall import PaywallHints

NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{value!r} is not an http(s) URL, e.g. https://www.example.org/news/")
    return value


def _domain(value: str) -> str:
    value = value.strip().lower().lstrip(".")
    if not re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)*", value):
        raise ValueError(f"{value!r} is not a host name, e.g. example.org (subdomains included)")
    return value


def _regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as error:
        raise ValueError(f"{value!r} is not a valid regular expression: {error}") from None
    return value


def _css_selector(value: str) -> str:
    try:
        GenericTranslator().css_to_xpath(value)
    except SelectorError as error:
        raise ValueError(f"{value!r} is not a valid CSS selector: {error}") from None
    return value


HttpUrl = Annotated[str, AfterValidator(_http_url)]
Domain = Annotated[str, AfterValidator(_domain)]
Regex = Annotated[str, AfterValidator(_regex)]
CssSelector = Annotated[str, AfterValidator(_css_selector)]
RequisiteKind = Literal["stylesheet", "script", "image", "font", "media"]
REQUISITE_KINDS: frozenset[RequisiteKind] = frozenset(get_args(RequisiteKind))
"""What a page needs to replay: the kinds ``requisites.types`` may name (and the
Playwright resource types the renderer fetches as requisites)."""


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ArticleRules(Section):
    """Which URLs are articles, on top of (or instead of) the built-in classifier."""

    allow: list[Regex] = Field(default_factory=list)
    """A URL matching one of these is an article (emitted once fetched)."""
    deny: list[Regex] = Field(default_factory=list)
    """A URL matching one of these is never an article (archived, not emitted)."""
    classifier: bool = True
    """Also use the built-in URL and page classifiers (dated paths, long slugs, JSON-LD)."""


class Discovery(Section):
    robots_sitemaps: bool = True
    """Read the ``Sitemap:`` lines of each host's robots.txt."""
    feed_links: bool = True
    """Read feeds announced by ``<link rel="alternate">`` on home and section pages."""
    follow_depth: int | None = Field(default=1, ge=0)
    """Hops from a start page along links that do not look like articles (null: no limit)."""


class Politeness(Section):
    download_delay: float | None = Field(default=None, ge=0, le=600)
    """Seconds between requests to this site (default: ``DOWNLOAD_DELAY``)."""
    concurrency: int | None = Field(default=None, ge=1, le=2)
    """Requests in flight to this site at once (default: ``CONCURRENT_REQUESTS_PER_DOMAIN``)."""


class Requisites(Section):
    enabled: bool = True
    """Fetch the stylesheets, scripts, images and fonts of article pages into the WARC."""
    domains: list[Domain] = Field(default_factory=list)
    """CDN hosts whose requisites are fetched too (the site's own domains always are)."""
    types: list[RequisiteKind] = Field(
        default_factory=lambda: ["stylesheet", "script", "image", "font"]
    )


class PaywallSection(Section):
    """Fields of :class:`archiver.paywall.PaywallHints`."""

    gate_selectors: list[CssSelector] = Field(default_factory=list)
    prompt_phrases: list[Annotated[str, Field(min_length=3)]] = Field(default_factory=list)
    declared_override: Literal["free", "paywalled", "metered", "registration"] | None = None


class Source(Section):
    """Where a config's facts (home, feeds, sitemaps, URL filters) come from.

    Generated configs name the file and commit of the public project that
    maintains those facts, so a reviewer can check them and a later run of
    ``spiders/generate_sites.py`` can say what changed upstream.
    """

    repository: str | None = None
    """``owner/name`` on GitHub, e.g. ``flairNLP/fundus``; null for a hand-written config."""
    path: str | None = None
    """File in that repository holding the publisher's definition."""
    commit: Annotated[str, Field(pattern=r"^[0-9a-f]{40}$")] | None = None
    publisher: str | None = None
    """The publisher's identifier there (fundus: ``COUNTRY.Attribute``)."""
    date: datetime.date
    """Date of that commit (or of the last hand check)."""
    note: str = ""

    @model_validator(mode="after")
    def _complete(self) -> Source:
        named = [self.repository, self.path, self.commit]
        if any(named) and not all(named):
            raise ValueError("repository, path and commit go together")
        if not any(named) and not self.note:
            raise ValueError("a hand-written source needs a note saying where its facts are from")
        return self


class SiteConfig(Section):
    """One news site: where to start, how to find articles, how to be polite."""

    name: Annotated[str, Field(pattern=NAME_PATTERN)]
    title: str = ""
    country: Annotated[str, Field(pattern=r"^[a-z]{2}$")] | None = None
    """ISO 3166-1 alpha-2 code of the country the title is published in, lower case."""
    region: str = ""
    """Area the title covers: a region or city for regional titles, else the country."""
    language: Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$")] | None = None
    source: Source | None = None
    verified: bool = False
    """Checked against saved pages of the publisher (tests/discovery/test_site_corpus.py)."""
    home: list[HttpUrl] = Field(min_length=1)
    sections: list[HttpUrl] = Field(default_factory=list)
    feeds: list[HttpUrl] = Field(default_factory=list)
    sitemaps: list[HttpUrl] = Field(default_factory=list)
    allowed_domains: list[Domain] = Field(default_factory=list)
    """Hosts of the site, subdomains included (default: the hosts of ``home``)."""
    deny: list[Regex] = Field(default_factory=list)
    """URLs matching one of these are never requested."""
    articles: ArticleRules = Field(default_factory=ArticleRules)
    discovery: Discovery = Field(default_factory=Discovery)
    politeness: Politeness = Field(default_factory=Politeness)
    requisites: Requisites = Field(default_factory=Requisites)
    paywall: PaywallSection = Field(default_factory=PaywallSection)
    render: Literal["articles"] | None = None
    """Render article pages in Chromium after their raw capture (as ``crawl --render``)."""
    expect_access: Literal["full"] | None = None
    """A subscriber crawl: stop the site when its captures keep coming back gated
    (as ``ARCHIVER_EXPECT_ACCESS=full``)."""

    @model_validator(mode="after")
    def _default_domains(self) -> SiteConfig:
        if not self.allowed_domains:
            hosts = sorted({urlsplit(url).hostname or "" for url in self.home})
            object.__setattr__(self, "allowed_domains", hosts)
        return self

    @property
    def start_urls(self) -> list[str]:
        """Home and section pages, each once, in config order."""
        return list(dict.fromkeys([*self.home, *self.sections]))

    def paywall_hints(self) -> PaywallHints:
        return PaywallHints(
            gate_selectors=list(self.paywall.gate_selectors),
            prompt_phrases=list(self.paywall.prompt_phrases),
            declared_override=self.paywall.declared_override,
        )
