"""Which addresses a crawl may connect to: one policy for operators and for the test suite.

A page on a public host can link or redirect to ``http://127.0.0.1:6379/``,
``http://192.168.1.1/`` or the cloud metadata service at ``169.254.169.254``:
a crawler that follows would fetch (and archive, and share) what only the crawl
host can see. So a request whose host resolves to a loopback, private,
link-local, shared, reserved or metadata address is refused when it comes from
a public host (a redirect or a link) or from nowhere known; the operator's own
start URLs may point anywhere, and ``ARCHIVER_ALLOW_PRIVATE_ADDRESSES`` lifts
the rule for crawls of an intranet.

The test suite turns the same component the other way round: with
``ARCHIVER_LOOPBACK_ONLY`` set (tests/conftest.py sets it in the environment,
which every ``python -m archiver`` it starts inherits) any host that is not a
loopback address literal or ``localhost`` is refused before a DNS query is even
sent, so no test can reach beyond 127.0.0.1 whatever its arguments say.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.settings import BaseSettings
from scrapy.statscollectors import StatsCollector
from scrapy.utils.defer import maybe_deferred_to_future

LOOPBACK_ONLY_ENV = "ARCHIVER_LOOPBACK_ONLY"
LOOPBACK_NAMES = frozenset({"localhost"})
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
)
"""Cloud metadata services (AWS, GCP and Azure share the first; AWS IPv6; Alibaba)."""

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def loopback_only(settings: BaseSettings) -> bool:
    return settings.getbool("ARCHIVER_LOOPBACK_ONLY") or bool(os.environ.get(LOOPBACK_ONLY_ENV))


def address_kind(address: IPAddress) -> str:
    """``public``, or the kind of non-public address (named in the refusal)."""
    if address in METADATA_ADDRESSES:
        return "cloud-metadata"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_private:
        return "private"
    return "public" if address.is_global else "reserved"


def literal_address(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


class AddressPolicyMiddleware:
    """Refuses requests to addresses the policy forbids, before anything is sent.

    Runs first among the downloader middlewares (before robots.txt, which
    would fetch from the forbidden host), so a refused request costs no packet.
    Addresses come from Scrapy's caching resolver, the one the download uses.
    """

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.stats: StatsCollector = crawler.stats
        self.allow_private = settings.getbool("ARCHIVER_ALLOW_PRIVATE_ADDRESSES")
        self.loopback_only = loopback_only(settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AddressPolicyMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        host = urlsplit(request.url).hostname or ""
        if self.loopback_only:
            address = literal_address(host)
            if host.lower() not in LOOPBACK_NAMES and not (address and address.is_loopback):
                self._refuse(request, f"{host} is not a loopback address "
                             f"({LOOPBACK_ONLY_ENV} is set: the test suite's guard)")
            return
        if self.allow_private:
            return
        kind = address_kind(await resolve(host))
        if kind == "public":
            return
        source = _source_url(request)
        if source is None and _is_seed(request):
            return
        if source is not None:
            source_host = urlsplit(source).hostname or ""
            if address_kind(await resolve(source_host)) != "public":
                return
        self._refuse(request, f"{host} is a {kind} address, reached from "
                     f"{source or 'an unknown page'}; set ARCHIVER_ALLOW_PRIVATE_ADDRESSES "
                     "to crawl it")

    def _refuse(self, request: Request, why: str) -> None:
        self.stats.inc_value("archiver/netpolicy/refused")
        message = f"{request.url}: refused: {why}"
        logger.warning(message)
        raise IgnoreRequest(message)


async def resolve(host: str) -> IPAddress:
    """The address Scrapy will connect to (its resolver caches it for the download)."""
    address = literal_address(host)
    if address is not None:
        return address
    from twisted.internet import reactor  # the one Scrapy installed

    return ipaddress.ip_address(await maybe_deferred_to_future(reactor.resolve(host)))


def _source_url(request: Request) -> str | None:
    """Where the request came from: the previous hop of a redirect, or the linking page."""
    redirects = request.meta.get("redirect_urls")
    if redirects:
        return redirects[-1]
    referer = request.headers.get("Referer")
    return referer.decode("latin-1") if referer else None


def _is_seed(request: Request) -> bool:
    return not request.meta.get("depth") and not request.meta.get("redirect_urls")
