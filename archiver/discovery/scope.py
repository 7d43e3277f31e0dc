"""What a site config lets the crawl request, follow and call an article.

The config's regular expressions are compiled once per crawl; the spider asks
this object about every URL it finds, so the decisions live in one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from archiver.discovery.classifier import ArticlePages, url_looks_like_article
from archiver.sites.config import SiteConfig


def host_in(host: str | None, domains: list[str]) -> bool:
    """``host`` is one of ``domains`` or a subdomain of one."""
    host = (host or "").lower()
    return any(host == d or host.endswith("." + d) for d in domains)


@dataclass
class SiteScope:
    config: SiteConfig
    deny: list[re.Pattern[str]] = field(init=False)
    article_allow: list[re.Pattern[str]] = field(init=False)
    article_deny: list[re.Pattern[str]] = field(init=False)
    is_article: ArticlePages = field(init=False)
    """Is the fetched page an article to emit? Config patterns, then the page itself:
    a callable of its own, not a method, as it is sent to the analysis workers."""

    def __post_init__(self) -> None:
        self.deny = [re.compile(p) for p in self.config.deny]
        self.article_allow = [re.compile(p) for p in self.config.articles.allow]
        self.article_deny = [re.compile(p) for p in self.config.articles.deny]
        self.is_article = ArticlePages(tuple(self.article_allow), tuple(self.article_deny),
                                       self.config.articles.classifier)

    @property
    def name(self) -> str:
        return self.config.name

    def owns(self, url: str) -> bool:
        """On one of the site's hosts (subdomains included)."""
        return host_in(urlsplit(url).hostname, self.config.allowed_domains)

    def allows(self, url: str) -> bool:
        """On the site's hosts and not denied: may be requested."""
        return self.owns(url) and not any(p.search(url) for p in self.deny)

    def article_url(self, url: str) -> bool:
        """Does the URL look like an article (config patterns first, then the classifier)?"""
        if any(p.search(url) for p in self.article_deny):
            return False
        if any(p.search(url) for p in self.article_allow):
            return True
        return self.config.articles.classifier and url_looks_like_article(url)

    def wants_requisite(self, url: str, kind: str) -> bool:
        requisites = self.config.requisites
        return (
            requisites.enabled
            and kind in requisites.types
            and not any(p.search(url) for p in self.deny)
            and (self.owns(url) or host_in(urlsplit(url).hostname, requisites.domains))
        )
