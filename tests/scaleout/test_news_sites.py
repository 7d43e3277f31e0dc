"""A configured news site crawled by two workers: discovery works over the frontier.

The seeder loads the site config (sitemaps, feeds, start pages); the workers
find robots.txt sitemaps, announced feeds and links as one machine would, and
push them through the shared duplicate filter: every article is emitted once
in all, every page requested once, the disallowed path never.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from archiver.demo.server import serve
from tests.crawling import run_archiver
from tests.discovery.loopsite import (
    ARTICLES,
    DISALLOWED_ARTICLE,
    HUBS,
    config_yaml,
    site_routes,
)
from tests.scaleout.workers import finish, start_worker


def test_two_workers_discover_a_configured_site(redis_url: str, tmp_path: Path):
    sites = tmp_path / "sites"
    sites.mkdir()
    with serve(site_routes()) as site:
        (sites / "loopnews.yaml").write_text(config_yaml(site.base_url), encoding="utf-8")
        seeded = run_archiver("seed", "--frontier", redis_url, "loopnews", "--sites-dir",
                              str(sites), "--run-id", "news")
        assert seeded.returncode == 0, seeded.stderr[-3000:]
        assert "for the news spider" in seeded.stdout
        processes = [start_worker(redis_url, tmp_path / name, "--sites-dir", str(sites))
                     for name in ("a", "b")]
        workers = [finish(p, tmp_path / name) for p, name in zip(processes, "ab", strict=True)]
        requested = Counter(site.log.paths())
    for worker in workers:
        assert worker.process.returncode == 0, worker.process.stderr[-3000:]
        assert "Spider error" not in worker.process.stderr

    emitted = Counter(item["url"] for worker in workers for item in worker.items())
    assert set(emitted) == {site.base_url + path for path in ARTICLES}
    assert set(emitted.values()) == {1}
    for path in [*ARTICLES, *HUBS]:
        assert requested[path] == 1, (path, requested[path])
    assert {p for p, n in requested.items() if n > 1} <= {"/robots.txt"}
    assert requested[DISALLOWED_ARTICLE] == 0
