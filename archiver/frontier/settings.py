"""The Scrapy settings that turn a crawl into a worker on a Redis frontier.

One home for them, used by the add-on (a worker, :func:`install` when
``ARCHIVER_FRONTIER`` is set) and by the seeder, which must write to the very
keys the workers read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:  # `archiver --help` imports FRONTIER_ENV and must not pay for Scrapy
    from scrapy.settings import BaseSettings

FRONTIER_SETTING = "ARCHIVER_FRONTIER"
FRONTIER_ENV = "ARCHIVER_FRONTIER"
SCHEMES = ("redis", "rediss", "unix")

QUEUE_KEY = "archiver:%(spider)s:requests"
DUPEFILTER_KEY = "archiver:%(spider)s:dupefilter"
RUN_KEY = "archiver:run"
POLITENESS_KEY = "archiver:politeness:{slot}"
LEASES_KEY = "archiver:slots:{slot}"

SCHEDULER = "archiver.frontier.scheduler.FrontierScheduler"
IDLE_EXTENSION = "archiver.frontier.idle.FrontierIdleClose"
POLITENESS_MIDDLEWARE = "archiver.frontier.politeness.SharedPolitenessMiddleware"
# After robots.txt (100): a disallowed request must not take a site's turn.
POLITENESS_PRIORITY = 120


class FrontierURLError(ValueError):
    """A ``--frontier`` value that is not a Redis URL."""


def check_url(url: str) -> str:
    if urlsplit(url).scheme not in SCHEMES:
        raise FrontierURLError(f"--frontier {url!r}: not a Redis URL, e.g. "
                               "--frontier redis://127.0.0.1:6379/0")
    return url


def install(settings: BaseSettings) -> None:
    """Point the scheduler at the frontier named by ``ARCHIVER_FRONTIER`` (if any).

    ``SCHEDULER_PERSIST`` is on because the first worker to finish would
    otherwise delete the queue and duplicate filter that the others still use
    (and every page would be fetched twice); the priority queue keeps the news
    spider's order (sitemaps and feeds, then articles, then hubs, then
    requisites) across workers.
    """
    url = settings.get(FRONTIER_SETTING)
    if not url:
        return
    for name, value in {
        "SCHEDULER": SCHEDULER,
        "REDIS_URL": check_url(url),
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_QUEUE_KEY": QUEUE_KEY,
        "SCHEDULER_DUPEFILTER_KEY": DUPEFILTER_KEY,
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
    }.items():
        settings.set(name, value, priority="addon")
    settings["DOWNLOADER_MIDDLEWARES"].setdefault(POLITENESS_MIDDLEWARE, POLITENESS_PRIORITY)
    settings["EXTENSIONS"].setdefault(IDLE_EXTENSION, 0)
