"""Per-site politeness held across workers: request slots and turns handed out by Redis.

Each worker's Scrapy download slot limits its own requests to a site (its
concurrency, its delay); N workers would send N times as many. Before a
request to a site goes to the downloader, this middleware first takes one of
the site's request slots in Redis (as many as the slot's concurrency, shared by
all workers), then reserves the site's next turn (turns are ``delay`` apart on
the Redis server's clock, whichever worker asks), waiting for both without
blocking the reactor. The slot is given back when the request leaves the
downloader (Scrapy's ``request_left_downloader``, answered or failed), or when
a later middleware answers or drops it before it got there.

A slot is a lease: a member of the site's sorted set whose score is when it
expires. A worker renews its leases every ``LEASE_SECONDS / 3``; a killed
worker's leases lapse after at most ``LEASE_SECONDS``, so the site's slots
come back without anyone's help. Concurrency and delay are read from the
worker's own slot (the site config's ``politeness``, or
``CONCURRENT_REQUESTS_PER_DOMAIN`` and ``DOWNLOAD_DELAY``, the delay as
AutoThrottle adjusts it), so all workers together keep to one worker's limits.
"""

from __future__ import annotations

import itertools
import os
import socket
from collections import defaultdict

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy_redis.connection import get_redis_from_settings
from twisted.internet import reactor
from twisted.internet.task import LoopingCall, deferLater

from archiver.frontier.settings import FRONTIER_SETTING, LEASES_KEY, POLITENESS_KEY

# KEYS[1]: when the site's next turn is free; ARGV[1]: the delay in seconds.
# Returns how long the caller waits for its turn (a string: Lua numbers
# returned to Redis lose their fraction).
RESERVE_TURN = """
local now = redis.call('TIME')
now = tonumber(now[1]) + tonumber(now[2]) / 1000000
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
local turn = math.max(now, free)
local delay = tonumber(ARGV[1])
local expire_ms = math.ceil((turn - now + delay) * 1000) + 60000
redis.call('SET', KEYS[1], tostring(turn + delay), 'PX', expire_ms)
return tostring(turn - now)
"""

# KEYS[1]: the site's leases (member: lease id, score: when it lapses, Redis clock).
# ARGV: lease id, the site's concurrency, lease seconds. 1 if the slot was taken.
TAKE_SLOT = """
local now = redis.call('TIME')
now = tonumber(now[1]) + tonumber(now[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[3])) + 60)
return 1
"""

# KEYS[1]: the site's leases; ARGV: lease seconds, then the ids to renew (only those
# still held: a lapsed lease may already be someone else's slot).
RENEW_SLOTS = """
local now = redis.call('TIME')
now = tonumber(now[1]) + tonumber(now[2]) / 1000000
for i = 2, #ARGV do
  redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[i])
end
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[1])) + 60)
return #ARGV - 1
"""

# Long enough that a reactor busy for a while does not lose its slots; a killed
# worker's slots are free again after this.
LEASE_SECONDS = 60.0
# How often a request waiting for a site's slot asks again.
SLOT_POLL_SECONDS = 0.1


class SharedPolitenessMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.get(FRONTIER_SETTING):
            raise NotConfigured(f"{FRONTIER_SETTING} is not set")
        if not crawler.settings.getbool("ARCHIVER_FRONTIER_POLITENESS"):
            raise NotConfigured("ARCHIVER_FRONTIER_POLITENESS is off")
        self.crawler = crawler
        settings = crawler.settings
        self.server = get_redis_from_settings(settings)
        self.reserve = self.server.register_script(RESERVE_TURN)
        self.take = self.server.register_script(TAKE_SLOT)
        self.renew = self.server.register_script(RENEW_SLOTS)
        self.slots = settings.getdict("DOWNLOAD_SLOTS")
        self.default_delay = settings.getfloat("DOWNLOAD_DELAY")
        self.default_concurrency = (settings.getint("CONCURRENT_REQUESTS_PER_IP")
                                    or settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"))
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        self.lease_numbers = itertools.count(1)
        self.held: dict[Request, tuple[str, str]] = {}
        self.renewal = LoopingCall(self.renew_leases)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.release, signal=signals.request_left_downloader)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedPolitenessMiddleware:
        return cls(crawler)

    def slot_setting(self, slot_key: str, name: str, default: float) -> float:
        """The slot's live value (AutoThrottle moves its delay), else the configured one."""
        assert self.crawler.engine is not None
        slot = self.crawler.engine.downloader.slots.get(slot_key)
        if slot is not None:
            return float(getattr(slot, name))
        return float(self.slots.get(slot_key, {}).get(name, default))

    async def process_request(self, request: Request) -> None:
        assert self.crawler.engine is not None
        slot_key = self.crawler.engine.downloader.get_slot_key(request)
        await self.take_slot(request, slot_key)
        delay = self.slot_setting(slot_key, "delay", self.default_delay)
        if delay <= 0:
            return
        wait = float(self.reserve(keys=[POLITENESS_KEY.format(slot=slot_key)], args=[delay]))
        if wait > 0:
            self.crawler.stats.inc_value("archiver/frontier/politeness_waits")
            await maybe_deferred_to_future(deferLater(reactor, wait))

    async def take_slot(self, request: Request, slot_key: str) -> None:
        """Wait until one of the site's slots, across all workers, is this request's."""
        concurrency = int(self.slot_setting(slot_key, "concurrency", self.default_concurrency))
        key = LEASES_KEY.format(slot=slot_key)
        lease = f"{self.worker}:{next(self.lease_numbers)}"
        waited = False
        while not self.take(keys=[key], args=[lease, concurrency, LEASE_SECONDS]):
            waited = True
            await maybe_deferred_to_future(deferLater(reactor, SLOT_POLL_SECONDS))
        if waited:
            self.crawler.stats.inc_value("archiver/frontier/slot_waits")
        self.held[request] = (key, lease)

    def release(self, request: Request) -> None:
        """Give the request's slot back (once; unknown requests are ignored)."""
        held = self.held.pop(request, None)
        if held is not None:
            self.server.zrem(*held)

    def process_response(self, request: Request, response: Response) -> Response:
        """A request answered before the downloader (a cache, say) gives its slot back."""
        self.release(request)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        """A request dropped before the downloader (``IgnoreRequest``) gives its slot back."""
        self.release(request)

    def renew_leases(self) -> None:
        by_key: defaultdict[str, list[str]] = defaultdict(list)
        for key, lease in self.held.values():
            by_key[key].append(lease)
        for key, leases in by_key.items():
            self.renew(keys=[key], args=[LEASE_SECONDS, *leases])

    def spider_opened(self, spider: Spider) -> None:
        self.renewal.start(LEASE_SECONDS / 3, now=False)

    def spider_closed(self, spider: Spider) -> None:
        """Requests still queued when the crawl stops give their slots back too."""
        if self.renewal.running:
            self.renewal.stop()
        for request in list(self.held):
            self.release(request)
