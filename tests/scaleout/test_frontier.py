"""Two worker processes on one real redis-server crawl one site between them.

The run is seeded with ``archiver seed``; both workers run ``archiver crawl
--frontier`` at once, each into its own output directory, with one PostgreSQL
catalog. What must hold: the site saw every page requested exactly once in
all, both workers fetched pages, the union of their WARCs passes ``warcio
check``, and the catalog lists every capture record once.
"""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, text

from archiver.demo.server import GATE_WAIT, serve
from archiver.frontier.politeness import RESERVE_TURN, TAKE_SLOT
from archiver.frontier.settings import (
    DUPEFILTER_KEY,
    LEASES_KEY,
    QUEUE_KEY,
    RUN_KEY,
    FrontierURLError,
    check_url,
)
from archiver.layout import CATALOG_FILENAME
from tests.catalog.site import warcio_check
from tests.crawling import run_archiver, wait_for
from tests.scaleout.site import news_routes
from tests.scaleout.workers import finish, start_worker


def test_two_workers_share_one_frontier(redis_url: str, postgres_url: str, tmp_path: Path):
    catalog = ["-s", f"ARCHIVER_CATALOG_URL={postgres_url}"]
    # Articles are held back until two requests are being answered at once: with one
    # request in flight per worker, that means both workers are up and crawling, however
    # late the second one starts on a loaded machine (a fixed delay was not enough).
    # Slow pages (0.5 s each) then keep both of them busy.
    both_crawling = threading.Event()
    with serve(news_routes(delay=0.5, gate=both_crawling)) as site:
        seeded = run_archiver("seed", "--frontier", redis_url, "--url", site.base_url + "/",
                              "--run-id", "scale")
        assert seeded.returncode == 0, seeded.stderr[-3000:]
        assert "1 start requests" in seeded.stdout
        # The site's shared turn is 0.3 s, not the workers' usual 0.05: each worker asks
        # once per 0.5 s page, and on a loaded machine their requests drifted further apart
        # than 0.05 s for a whole crawl (no request waited, seen once at load 6).
        shared_turn = ["-s", "DOWNLOAD_DELAY=0.3"]
        first = start_worker(redis_url, tmp_path / "a", *catalog, *shared_turn)
        second = start_worker(redis_url, tmp_path / "b", *catalog, *shared_turn)
        try:
            wait_for(lambda: site.log.in_flight >= 2, "both workers to request a page",
                     timeout=GATE_WAIT - 10)
        finally:
            both_crawling.set()
        workers = [finish(first, tmp_path / "a"), finish(second, tmp_path / "b")]
        requested = Counter(site.log.paths())
    for worker in workers:
        assert worker.process.returncode == 0, worker.process.stderr[-3000:]

    pages = {path: n for path, n in requested.items() if path != "/robots.txt"}
    assert set(news_routes()) <= set(pages)
    assert set(pages.values()) == {1}, "every page fetched exactly once in all"
    assert requested["/robots.txt"] <= 2, "robots.txt: at most once per worker"

    responses = [[r for r in w.records() if r.rec_type == "response"] for w in workers]
    fetched = [{r.target for r in rs if not r.target.endswith("/robots.txt")}
               for rs in responses]
    assert all(fetched), f"both workers fetched pages: {[len(f) for f in fetched]}"
    assert not fetched[0] & fetched[1]
    assert {u.removeprefix(site.base_url) for u in fetched[0] | fetched[1]} == set(pages)

    files = [str(path) for w in workers for path in w.warc_files]
    check = warcio_check(files)
    assert check.returncode == 0, check.stdout + check.stderr

    record_ids = Counter(r.header("WARC-Record-ID") for rs in responses for r in rs)
    engine = create_engine(postgres_url)
    with engine.connect() as db:
        crawls = dict(db.execute(text(
            "SELECT id, status FROM crawls WHERE id LIKE 'scale-%'")).all())
        waits = sum(stats.get("archiver/frontier/politeness_waits", 0) for stats in db.execute(
            text("SELECT stats FROM crawls WHERE id LIKE 'scale-%'")).scalars())
        captured = Counter(db.execute(text(
            "SELECT record_id FROM captures WHERE crawl_id LIKE 'scale-%'")).scalars())
    engine.dispose()
    assert len(crawls) == 2 and set(crawls.values()) == {"finished"}
    assert waits > 0, "requests waited for the site's shared turn"
    assert captured == record_ids and set(captured.values()) == {1}

    # The frontier outlives its workers: the duplicate filter still knows every page.
    frontier = redis.Redis.from_url(redis_url)
    assert frontier.zcard(QUEUE_KEY % {"spider": "site"}) == 0
    assert frontier.scard(DUPEFILTER_KEY % {"spider": "site"}) >= len(pages)
    frontier.close()


def test_seeding_again_clears_the_frontier(redis_url: str):
    frontier = redis.Redis.from_url(redis_url)
    frontier.sadd(DUPEFILTER_KEY % {"spider": "site"}, "stale")
    seeded = run_archiver("seed", "--frontier", redis_url, "--url", "http://127.0.0.1:9/",
                          "--run-id", "again")
    assert seeded.returncode == 0, seeded.stderr[-3000:]
    assert frontier.scard(DUPEFILTER_KEY % {"spider": "site"}) == 1
    assert frontier.zcard(QUEUE_KEY % {"spider": "site"}) == 1
    assert b'"run_id": "again"' in frontier.get(RUN_KEY)
    frontier.close()


def test_a_worker_needs_a_seeded_frontier(redis_url: str, tmp_path: Path):
    redis.Redis.from_url(redis_url).delete(RUN_KEY)
    joined = run_archiver("crawl", "--frontier", redis_url, "--output", str(tmp_path))
    assert joined.returncode == 1
    assert "no run seeded" in joined.stderr and "Traceback" not in joined.stderr
    both = run_archiver("crawl", "--frontier", redis_url, "--url", "http://127.0.0.1:9/")
    assert both.returncode == 2 and "archiver seed" in both.stderr


def test_a_frontier_is_a_redis_url():
    assert check_url("redis://127.0.0.1:6379/2") == "redis://127.0.0.1:6379/2"
    with pytest.raises(FrontierURLError, match="not a Redis URL"):
        check_url("http://127.0.0.1:6379/")


def test_site_turns_are_spaced_by_the_delay_whichever_worker_asks(redis_url: str):
    frontier = redis.Redis.from_url(redis_url)
    reserve = frontier.register_script(RESERVE_TURN)
    key = "archiver:politeness:test-slot"
    frontier.delete(key)
    waits = [float(reserve(keys=[key], args=[30])) for _ in range(3)]
    frontier.close()
    assert waits[0] == 0
    assert 29 < waits[1] <= 30 and 59 < waits[2] <= 60


def test_a_site_never_has_more_requests_in_flight_than_its_concurrency_in_all(
        redis_url: str, tmp_path: Path):
    # Each worker takes 3 requests from the frontier at a time (so the second one finds
    # work) and is allowed 2 to the site; two workers: 4 at once unless the site's slots
    # are shared (6 measured: with no delay Scrapy 2.19's slot lets a third through). Slow
    # pages (0.8 s) make the requests overlap. Articles are held back until both workers
    # have opened their catalogs (a worker's crawler is then built and about to ask the
    # frontier): the first one's held requests keep both of the site's slots, so the
    # second one's own requests cannot be what opens the gate. Without it, one worker
    # drained the frontier before the other was up on a loaded machine.
    limits = ["-s", "CONCURRENT_REQUESTS=3", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2",
              "-s", "DOWNLOAD_DELAY=0"]
    both_up = threading.Event()
    with serve(news_routes(sections=3, per_section=6, delay=0.8, gate=both_up)) as site:
        seeded = run_archiver("seed", "--frontier", redis_url, "--url", site.base_url + "/",
                              "--run-id", "slots")
        assert seeded.returncode == 0, seeded.stderr[-3000:]
        processes = [start_worker(redis_url, tmp_path / name, *limits) for name in "ab"]
        try:
            wait_for(lambda: all((tmp_path / name / CATALOG_FILENAME).exists() for name in "ab"),
                     "both workers to open their catalogs", timeout=GATE_WAIT - 10)
        finally:
            both_up.set()
        workers = [finish(p, tmp_path / name) for p, name in zip(processes, "ab", strict=True)]
        most_at_once = site.log.max_in_flight
        requested = Counter(site.log.paths())
    for worker in workers:
        assert worker.process.returncode == 0, worker.process.stderr[-3000:]
    assert set(news_routes(sections=3, per_section=6)) <= set(requested)
    fetched = [[r for r in w.records() if r.rec_type == "response"] for w in workers]
    assert all(fetched), "both workers fetched pages"
    assert most_at_once == 2, f"{most_at_once} requests in flight at once (limit 2)"
    frontier = redis.Redis.from_url(redis_url)
    assert frontier.zcard(LEASES_KEY.format(slot="127.0.0.1")) == 0, "every slot given back"
    frontier.close()


def test_a_killed_workers_slot_lapses(redis_url: str):
    frontier = redis.Redis.from_url(redis_url)
    take = frontier.register_script(TAKE_SLOT)
    key = LEASES_KEY.format(slot="test-lapse")
    frontier.delete(key)
    assert take(keys=[key], args=["killed:1", 2, 0.5]) == 1
    assert take(keys=[key], args=["alive:1", 2, 60]) == 1
    assert take(keys=[key], args=["alive:2", 2, 60]) == 0, "both slots are taken"
    wait_for(lambda: take(keys=[key], args=["alive:2", 2, 60]) == 1,
             "the killed worker's lease to lapse", timeout=10)
    assert set(frontier.zrange(key, 0, -1)) == {b"alive:1", b"alive:2"}
    frontier.close()
