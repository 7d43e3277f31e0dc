"""scrapy-redis 0.9.1's scheduler, made safe for many workers on Scrapy 2.19.

scrapy-redis predates Scrapy 2.16 (``../shared/field-notes.md``): its
``SCHEDULER_PERSIST=False`` lets the first worker to stop delete the shared
queue and duplicate filter, and ``SCHEDULER_IDLE_BEFORE_CLOSE`` turns every
``next_request`` into a blocking Redis pop on the reactor thread. The wrapper
fixes both. Seeds come from ``archiver seed`` as plain requests (``dont_filter``
off), so the duplicate filter knows them: the start requests each worker's own
``start()`` yields again are the same requests and are dropped as seen.
"""

from __future__ import annotations

import warnings

from scrapy.exceptions import ScrapyDeprecationWarning
from scrapy.settings import BaseSettings
from scrapy_redis.scheduler import Scheduler

PRIORITY_QUEUE = "scrapy_redis.queue.PriorityQueue"

# scrapy-redis 0.9.1 calls ``Spider.log()`` and passes ``spider=`` to the stats
# collector on every request, both deprecated in Scrapy 2.19: a warning each time.
warnings.filterwarnings("ignore", category=ScrapyDeprecationWarning, module=r"scrapy_redis\.")


class FrontierScheduler(Scheduler):
    """The shared Redis queue and duplicate filter; never flushed, never blocking."""

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> FrontierScheduler:
        scheduler = super().from_settings(settings)
        scheduler.persist = True
        scheduler.idle_before_close = 0
        scheduler.queue_cls = PRIORITY_QUEUE
        return scheduler

    def close(self, reason: str) -> None:
        """Leave the queue and the duplicate filter to the workers still running."""
