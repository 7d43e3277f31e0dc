"""``python -m benchmarks.soak``: a bounded crawl of a large faulty loopback site.

20,000 pages by default, about 10% of them with a fault (see
:mod:`benchmarks.soak.site`). Prints how every page ended (archived whole once,
lost, duplicated, failed for good and counted), whether every WARC passes
``warcio check``, and the crawling process's resident memory over the run: its
first and last quarter and its peak, to show it stays flat.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from benchmarks.soak.run import SoakResult, run_soak


def quarter_peaks(samples: list[float]) -> list[float]:
    size = max(1, len(samples) // 4)
    return [max(samples[i : i + size], default=0.0) for i in range(0, size * 4, size)]


def report(result: SoakResult) -> list[str]:
    quarters = quarter_peaks(result.rss_mb)
    faults = ", ".join(f"{kind} {count}" for kind, count in sorted(result.faults.items()))
    return [
        f"pages:       {result.pages:,} in {result.seconds:.0f} s "
        f"({result.pages / result.seconds:.0f} pages/s), exit code {result.exit_code}",
        f"faults:      {faults}",
        f"lost:        {len(result.lost)}  {result.lost[:10]}",
        f"duplicated:  {len(result.duplicated)}  {result.duplicated[:10]}",
        f"failed:      {len(result.failed)} planned, {result.counted_failed} counted by the "
        f"crawl (retry/max_reached), {len(result.failed_unrecorded)} without an archived attempt",
        f"WARCs:       {'all pass warcio check' if not result.warc_check else 'INVALID'}",
        "RSS (MB):    peak per quarter " + " / ".join(f"{q:.0f}" for q in quarters)
        + f", peak {result.peak_rss_mb:.0f}",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.soak")
    parser.add_argument("--pages", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = run_soak(args.pages, Path(tmp))
    print("\n".join(report(result)))
    if result.warc_check:
        print(result.warc_check, file=sys.stderr)
    clean = not (result.lost or result.duplicated or result.failed_unrecorded
                 or result.warc_check) and result.counted_failed == len(result.failed)
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
