"""``python -m benchmarks.reextract [--articles N]``: records/s of re-extraction.

Writes a WARC of N article responses (the demo site's free and paywalled
articles under distinct URLs, half of them gzip-encoded), then re-analyses it
with one worker process and with one per core, and prints both rates and the
speed-up. Per-record work (parse, extraction, detection) dominates, so the
speed-up should approach the number of cores.
"""

from __future__ import annotations

import argparse
import gzip
import os
import tempfile
import time
from importlib.resources import files
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archiver.toolkit.reextract import reextract

PAGES = ["harbour-reopens.html", "gulf-talks.html", "festival-returns.html",
         "council-budget.html"]


def write_warc(path: Path, articles: int) -> None:
    site = files("archiver.demo").joinpath("site")
    bodies = [site.joinpath(name).read_bytes() for name in PAGES]
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=True, warc_version="WARC/1.1")
        writer.write_record(writer.create_warcinfo_record(path.name, {"isPartOf": "bench"}))
        for number in range(articles):
            body = bodies[number % len(bodies)]
            headers = [("Content-Type", "text/html; charset=utf-8")]
            if number % 2:
                body = gzip.compress(body, mtime=0)
                headers.append(("Content-Encoding", "gzip"))
            writer.write_record(writer.create_warc_record(
                f"http://bench.example/news/{number}", "response", payload=BytesIO(body),
                http_headers=StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1"),
            ))


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.reextract")
    parser.add_argument("--articles", type=int, default=2000)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        warc = Path(tmp) / "bench.warc.gz"
        write_warc(warc, args.articles)
        rates = {}
        for workers in sorted({1, cores}):
            start = time.perf_counter()
            result = reextract([warc], workers)
            elapsed = time.perf_counter() - start
            assert len(result.items) == args.articles, (len(result.items), result.problems)
            rates[workers] = args.articles / elapsed
            print(f"{workers} process(es): {rates[workers]:.0f} records/s "
                  f"({args.articles} records in {elapsed:.1f} s)")
    if cores > 1:
        print(f"speed-up with {cores} processes: {rates[cores] / rates[1]:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
