"""``site``: crawl from start URLs across their own hosts, with no config file.

``scrapy crawl site -a urls=http://a.example/,http://b.example/`` follows every
link on the start URLs' hosts (robots.txt obeyed by Scrapy), archives every
response and emits an item for each page that is an article.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse

from archiver.analysis import analyse_response, article_item


class SiteSpider(scrapy.Spider):
    name = "site"

    def __init__(self, urls: str = "", *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.start_urls = [u.strip() for u in urls.split(",") if u.strip()]
        if not self.start_urls:
            raise ValueError("the site spider needs start URLs: -a urls=URL[,URL...]")
        self.allowed_domains = sorted({urlsplit(u).hostname or "" for u in self.start_urls})

    async def start(self) -> AsyncIterator[Any]:
        for url in self.start_urls:
            yield scrapy.Request(url, callback=self.parse)

    async def parse(self, response: Response) -> AsyncIterator[Any]:
        if not isinstance(response, TextResponse):
            return
        analysis = await analyse_response(response)
        for url in analysis.links:
            yield response.follow(url, callback=self.parse)
        item = article_item(response, analysis)
        if item is not None:
            yield item
