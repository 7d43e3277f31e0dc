"""Per-site politeness held across workers: request turns handed out by Redis.

Each worker's Scrapy download slot spaces its own requests by the site's
delay; N workers would send N times as many. Before a request to a site goes
to the downloader, this middleware reserves the site's next turn in Redis
(one atomic script: turns are ``delay`` apart on the Redis server's clock,
whichever worker asks) and waits for it without blocking the reactor. The
delay is the worker's current slot delay (the site's configured delay, as
AutoThrottle has adjusted it), so all workers together keep to one worker's
pace. Per-site concurrency is counted per worker, but with AutoThrottle a
delay is latency / target concurrency, so turns that far apart keep about the
target concurrency in flight across all workers together.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy_redis.connection import get_redis_from_settings
from twisted.internet import reactor
from twisted.internet.task import deferLater

from archiver.frontier.settings import FRONTIER_SETTING, POLITENESS_KEY

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


class SharedPolitenessMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.get(FRONTIER_SETTING):
            raise NotConfigured(f"{FRONTIER_SETTING} is not set")
        if not crawler.settings.getbool("ARCHIVER_FRONTIER_POLITENESS"):
            raise NotConfigured("ARCHIVER_FRONTIER_POLITENESS is off")
        self.crawler = crawler
        self.reserve = get_redis_from_settings(crawler.settings).register_script(RESERVE_TURN)
        self.slots = crawler.settings.getdict("DOWNLOAD_SLOTS")
        self.default_delay = crawler.settings.getfloat("DOWNLOAD_DELAY")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedPolitenessMiddleware:
        return cls(crawler)

    def delay_of(self, slot_key: str) -> float:
        """The slot's live delay (AutoThrottle moves it), else the configured one."""
        assert self.crawler.engine is not None
        slot = self.crawler.engine.downloader.slots.get(slot_key)
        if slot is not None:
            return float(slot.delay)
        return float(self.slots.get(slot_key, {}).get("delay", self.default_delay))

    async def process_request(self, request: Request) -> None:
        assert self.crawler.engine is not None
        slot_key = self.crawler.engine.downloader.get_slot_key(request)
        delay = self.delay_of(slot_key)
        if delay <= 0:
            return
        wait = float(self.reserve(keys=[POLITENESS_KEY.format(slot=slot_key)], args=[delay]))
        if wait > 0:
            self.crawler.stats.inc_value("archiver/frontier/politeness_waits")
            await maybe_deferred_to_future(deferLater(reactor, wait))
