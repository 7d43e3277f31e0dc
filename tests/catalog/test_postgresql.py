"""The catalog on PostgreSQL (``ARCHIVER_CATALOG_URL``), as several crawl machines share it.

A throwaway cluster is started on 127.0.0.1 (``initdb`` + ``pg_ctl``, as the
``postgres`` user when the tests run as root); skipped where PostgreSQL's
server binaries or the psycopg driver are not installed.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from archiver.demo.server import serve
from tests.catalog.site import article_page, listing, validated
from tests.crawling import crawl, run_archiver
from tests.ports import start_on_free_port

pytest.importorskip("psycopg", reason="psycopg not installed (pip install '.[postgresql]')")


def pg_binary(name: str) -> str | None:
    found = shutil.which(name)
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found or (candidates[-1] if candidates else None)


@pytest.fixture(scope="module")
def postgres_url():
    initdb, pg_ctl = pg_binary("initdb"), pg_binary("pg_ctl")
    if not (initdb and pg_ctl):
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not installed")
    # Not under pytest's tmp_path: its parents are private to root, and the server
    # runs as the postgres user.
    with tempfile.TemporaryDirectory(prefix="archiver-pg-") as directory:
        yield from cluster(Path(directory), initdb, pg_ctl)


def cluster(root: Path, initdb: str, pg_ctl: str) -> Iterator[str]:
    as_user: list[str] = []
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no postgres user to run the server")
        os.chown(root, owner.pw_uid, owner.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data = root / "data"
    subprocess.run([*as_user, initdb, "-D", str(data), "-A", "trust", "-U", "archiver"],
                   check=True, capture_output=True, timeout=120)

    def start(port: int) -> int | None:
        started = subprocess.run(
            [*as_user, pg_ctl, "-D", str(data), "-w", "-l", str(root / "log"), "-o",
             f"-k {root} -h 127.0.0.1 -p {port}", "start"], capture_output=True, timeout=120)
        return port if started.returncode == 0 else None

    port, _ = start_on_free_port(start)
    try:
        yield f"postgresql+psycopg://archiver@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, pg_ctl, "-D", str(data), "-m", "fast", "stop"],
                       capture_output=True, timeout=120)


def test_two_runs_share_a_postgresql_catalog(postgres_url: str, tmp_path: Path):
    routes = {
        "/": validated(listing("Home", ["/news/one", "/news/two"]), "home"),
        "/news/one": validated(article_page("First story", 1), "one"),
        "/news/two": validated(article_page("Second story", 2), "two"),
    }
    catalog = ["-s", f"ARCHIVER_CATALOG_URL={postgres_url}"]
    with serve(routes) as site:
        first = crawl(site.base_url + "/", tmp_path / "machine-a", "--crawl-id", "a", *catalog)
        site.routes["/news/two"] = validated(article_page("Second story", 2, paywalled=True),
                                             "two-v2")
        second = crawl(site.base_url + "/", tmp_path / "machine-b", "--crawl-id", "b", *catalog)
    assert first.process.returncode == 0, first.process.stderr[-3000:]
    assert second.process.returncode == 0, second.process.stderr[-3000:]
    assert not (tmp_path / "machine-a" / "catalog.sqlite").exists()
    engine = create_engine(postgres_url)
    with engine.connect() as db:
        statuses = dict(db.execute(text("SELECT id, status FROM crawls")).all())
        changes = db.execute(text(
            "SELECT crawl_id, detected FROM verdict_changes WHERE url = :url "
            "ORDER BY observed_at"), {"url": site.base_url + "/news/two"}).all()
        profiles = db.execute(text(
            "SELECT count(*) FROM captures WHERE crawl_id = 'b' AND revisit_profile IS NOT NULL"
        )).scalar_one()
    engine.dispose()
    assert statuses == {"a": "finished", "b": "finished"}
    assert [tuple(row) for row in changes] == [("a", False), ("b", True)]
    assert profiles >= 1, "machine b deduplicated against machine a's payloads"
    listed = run_archiver("runs", "--catalog", postgres_url)
    assert listed.returncode == 0 and listed.stdout.splitlines()[1].startswith("b ")
