"""A run on the frontier: its seeds in the shared queue, its description beside them.

``archiver seed`` builds the spider exactly as a worker will (site configs
loaded, politeness slots set), drives its async ``start()`` and puts each
start request through the frontier scheduler, so the seeds are plain requests
the shared duplicate filter has seen. Next to the queue it stores the run's
description (:class:`RunPlan`): which spider, with which arguments, under
which run id. A worker needs nothing but the frontier URL.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import redis
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.settings import Settings
from scrapy.utils.misc import load_object
from scrapy_redis.connection import get_redis

from archiver.frontier.scheduler import FrontierScheduler
from archiver.frontier.settings import FRONTIER_SETTING, RUN_KEY, check_url, install
from archiver.sites import sites_dir as site_directory


class FrontierError(RuntimeError):
    """The frontier cannot be used: unreachable, or holding no seeded run."""


@dataclass(frozen=True)
class RunPlan:
    """What every worker of a run crawls: a spider, its arguments, the run's id."""

    run_id: str
    spider: str
    args: dict[str, str]
    seeds: int

    def worker_crawl_id(self) -> str:
        """One crawl id per worker process, sharing the run's id as a prefix."""
        return f"{self.run_id}-{socket.gethostname()}-{os.getpid()}"


def connect(url: str) -> redis.Redis:
    server = get_redis(url=check_url(url))
    try:
        server.ping()
    except redis.RedisError as error:
        raise FrontierError(f"frontier {url}: cannot reach Redis ({error}); is redis-server "
                            "running there, and is the URL's host, port and db right?") from None
    return server


def read_plan(url: str) -> RunPlan:
    raw = connect(url).get(RUN_KEY)
    if raw is None:
        raise FrontierError(f"frontier {url}: no run seeded; start one with "
                            f"`archiver seed --frontier {url} SITE...`")
    return RunPlan(**json.loads(raw))


def join_run(url: str, overrides: dict[str, str], sites_dir: Path | None = None) -> RunPlan:
    """The seeded run a worker joins; ``overrides`` become a worker's settings.

    A worker keeps no ``JOBDIR``: the frontier holds the crawl's state, and a
    local job queue would only hide requests from the other workers. Site
    configs are read from the worker's own sites directory, as on one machine.
    """
    plan = read_plan(url)
    overrides[FRONTIER_SETTING] = url
    overrides.setdefault("JOBDIR", "")
    overrides["ARCHIVER_SITES_DIR"] = str(
        site_directory(sites_dir or overrides.get("ARCHIVER_SITES_DIR"))
    )
    return plan


async def _collect(start: AsyncIterator[Any]) -> list[Request]:
    return [request async for request in start if isinstance(request, Request)]


def seed(url: str, run_id: str, spider_name: str, args: dict[str, str],
         settings: Settings) -> RunPlan:
    """Clear the frontier and seed a new run; returns its plan."""
    server = connect(url)
    settings.set(FRONTIER_SETTING, url, priority="cmdline")
    install(settings)
    loader = load_object(settings["SPIDER_LOADER_CLASS"]).from_settings(settings.frozencopy())
    crawler = Crawler(loader.load(spider_name), settings)
    spider = crawler.spidercls.from_crawler(crawler, **args)
    requests = asyncio.run(_collect(spider.start()))
    scheduler = FrontierScheduler.from_settings(crawler.settings)
    scheduler.open(spider)
    scheduler.flush()
    server.delete(RUN_KEY)
    seeded = sum(scheduler.enqueue_request(request) for request in requests)
    plan = RunPlan(run_id=run_id, spider=spider_name, args=args, seeds=seeded)
    server.set(RUN_KEY, json.dumps(asdict(plan)))
    return plan
