"""``site``: crawl from start URLs across their own hosts, with no config file.

``scrapy crawl site -a urls=http://a.example/,http://b.example/`` is the
``news`` spider with a config made up from the URLs: it follows every link on
the start URLs' hosts (robots.txt obeyed by Scrapy), reads the sitemaps the
hosts' robots.txt names and the feeds their pages announce, archives every
response and emits an item for each page that is an article.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from scrapy.settings import BaseSettings

from archiver.sites import SiteConfig
from archiver.sites.config import Discovery
from spiders.news import NewsSpider

ADHOC_SITE = "adhoc"


def adhoc_config(urls: list[str]) -> SiteConfig:
    """A site config for start URLs: their hosts, every link followed, default discovery."""
    return SiteConfig(
        name=ADHOC_SITE,
        home=urls,
        allowed_domains=sorted({urlsplit(u).hostname or "" for u in urls}),
        discovery=Discovery(follow_depth=None),
    )


class SiteSpider(NewsSpider):
    name = "site"

    def __init__(self, urls: str = "", since: str = "", **kwargs: Any) -> None:
        super().__init__(since=since, **kwargs)
        self.start_urls = [u.strip() for u in urls.split(",") if u.strip()]
        if not self.start_urls:
            raise ValueError("the site spider needs start URLs: -a urls=URL[,URL...]")

    def site_configs(self, settings: BaseSettings) -> list[SiteConfig]:
        return [adhoc_config(self.start_urls)]
