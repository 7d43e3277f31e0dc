"""``python -m benchmarks.recrawl``: a first crawl and an unchanged recrawl, side by side.

Both runs write into one output directory (one catalog) against the same
generated loopback site, served with ``ETag`` validators from its own process.
The recrawl should send conditional requests, get 304s, and write a small
fraction of the first run's WARC bytes; with the catalog turned off
(``--no-catalog``) the same two runs show what the catalog saves and costs.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.loopback import serve_until_stopped, served
from benchmarks.throughput.__main__ import CRAWL_SPEED
from benchmarks.throughput.site import site_routes


def _serve(articles: int, ready, stop) -> None:
    routes = site_routes(articles)
    for n, route in enumerate(routes.values()):
        route.etag = f'"v{n}"'.encode()
    serve_until_stopped(routes, ready, stop)


def _run(base_url: str, output: Path, crawl_id: str, catalog: bool) -> dict:
    command = [sys.executable, "-m", "archiver", "crawl", "--url", f"{base_url}/", "--output",
               str(output), "--crawl-id", crawl_id, *CRAWL_SPEED,
               "-s", f"ARCHIVER_CATALOG_ENABLED={catalog}"]
    process = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    if process.returncode:
        raise SystemExit(process.stderr[-3000:])
    warc_bytes = sum(p.stat().st_size for p in (output / "warc").glob(f"{crawl_id}-*"))
    if not catalog:
        return {"warc_bytes": warc_bytes, "seconds": None, "summary": {}}
    with sqlite3.connect(output / "catalog.sqlite") as db:
        stats, summary = db.execute("SELECT stats, summary FROM crawls WHERE id = ?",
                                    (crawl_id,)).fetchone()
    return {"warc_bytes": warc_bytes, "seconds": json.loads(stats)["elapsed_time_seconds"],
            "summary": json.loads(summary)}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.recrawl")
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--no-catalog", action="store_true",
                        help="turn the catalog off (no conditional requests, no dedup)")
    args = parser.parse_args()
    with served(_serve, args.articles) as base_url, tempfile.TemporaryDirectory() as tmp:
        runs = {name: _run(base_url, Path(tmp), name, not args.no_catalog)
                for name in ("first", "recrawl")}
    for name, run in runs.items():
        summary = run["summary"]
        took = f"{run['seconds']:7.2f} s" if run["seconds"] else "      ? s"
        print(f"{name:>8}: {took}, {run['warc_bytes']:>11,} WARC bytes, "
              f"{summary.get('pages', '?')} full pages, "
              f"{summary.get('revisits_not_modified', '?')} revisits (304), "
              f"{summary.get('revisits_identical', '?')} revisits (duplicate)")
    ratio = runs["recrawl"]["warc_bytes"] / runs["first"]["warc_bytes"]
    print(f"{'bytes':>8}: the recrawl wrote {ratio:.1%} of the first run's WARC bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
