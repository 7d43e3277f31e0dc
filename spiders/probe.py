"""The ``probe`` spider: fetch each site config's robots.txt, feeds and sitemaps once.

``archiver sites probe SITE...`` runs it through the same crawl machinery as
any crawl, so every response (and robots.txt) is archived to WARC, per-site
politeness applies, and nothing beyond the facts is requested: no entry of a
feed or sitemap is followed. It reads robots.txt itself, before the other
facts of that host, because reporting on robots.txt needs its status, which
Scrapy's robots.txt middleware does not pass on; what it disallows is not
fetched (reported as stale), as Scrapy would have done.

Each fact's :class:`~archiver.sites.probe.ProbeResult` is written, one JSON
line per fact, to ``-a report=PATH`` when the spider closes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from archiver.discovery.freshness import parse_since
from archiver.discovery.scope import SiteScope
from archiver.sites.probe import (
    Kind,
    ProbeResult,
    judge_feed,
    judge_robots,
    judge_sitemap,
)
from spiders.news import DISCOVERY_PRIORITY, NewsSpider, _root

RESULT_META = "archiver_probe"


class ProbeSpider(NewsSpider):
    name = "probe"
    custom_settings: ClassVar[dict[str, Any]] = {"ROBOTSTXT_OBEY": False}

    def __init__(self, site: str = "", report: str = "", stale_before: str = "30d",
                 *args: Any, **kwargs: Any) -> None:
        super().__init__(site, *args, **kwargs)
        self.report = Path(report) if report else None
        self.stale_before = parse_since(stale_before)
        self.results: list[ProbeResult] = []

    def _fact_request(self, result: ProbeResult, scope: SiteScope, callback: Any
                      ) -> scrapy.Request:
        # The index, not the result: disk queues (-s JOBDIR=DIR) pickle requests, copying meta.
        self.results.append(result)
        # Every status reaches the callback. A fact's redirect is reported, not followed
        # (the config should name the new URL); robots.txt's are followed (RFC 9309).
        statuses = ({"handle_httpstatus_list": list(range(400, 600))} if result.kind == "robots"
                    else {"handle_httpstatus_all": True})
        request = self._request(result.url, scope, callback, DISCOVERY_PRIORITY,
                                allow_offsite=True, **statuses,
                                **{RESULT_META: len(self.results) - 1})
        return request.replace(errback=self.failed, dont_filter=True)

    def _facts(self, scope: SiteScope, root: str) -> list[tuple[Kind, str]]:
        config = scope.config
        facts: list[tuple[Kind, str]] = [*(("feed", url) for url in config.feeds),
                                         *(("sitemap", url) for url in config.sitemaps)]
        return [(kind, url) for kind, url in facts if _root(url) == root]

    async def start(self) -> AsyncIterator[Any]:
        for scope in self.scopes.values():
            config = scope.config
            roots = dict.fromkeys(_root(url) for url in [config.home[0], *config.feeds,
                                                          *config.sitemaps])
            for root in roots:
                result = ProbeResult(scope.name, "robots", root + "/robots.txt")
                yield self._fact_request(result, scope, self.parse_robots)

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        result = self.results[response.meta[RESULT_META]]
        scope = self._scope_of(response)
        rules = judge_robots(result, response, scope.config.sitemaps)
        agent = self.settings.get("USER_AGENT", "")
        for kind, url in self._facts(scope, _root(result.url)):
            fact = ProbeResult(scope.name, kind, url)
            if rules is None or not rules.can_fetch(url, agent):
                self.results.append(fact)
                fact.problem = ("not fetched: robots.txt unreachable" if rules is None
                                else "disallowed by robots.txt")
                continue
            yield self._fact_request(fact, scope, self.parse_fact)

    def parse_fact(self, response: Response) -> None:
        result = self.results[response.meta[RESULT_META]]
        judge = judge_feed if result.kind == "feed" else judge_sitemap
        judge(result, response, self.stale_before)

    def failed(self, failure: Failure) -> None:
        """No response at all (refused, DNS, timeout): the fact, or its host, is gone."""
        request = failure.request  # type: ignore[attr-defined]
        result = self.results[request.meta[RESULT_META]]
        result.problem = f"no response: {failure.type.__name__}: {failure.getErrorMessage()}"
        if result.kind == "robots":
            for kind, url in self._facts(self.scopes[result.site], _root(result.url)):
                self.results.append(ProbeResult(result.site, kind, url,
                                                problem="not fetched: robots.txt unreachable"))

    def closed(self, reason: str) -> None:
        if self.report is not None:
            self.report.parent.mkdir(parents=True, exist_ok=True)
            self.report.write_text("".join(r.to_json() + "\n" for r in self.results), "utf-8")
