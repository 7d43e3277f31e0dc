"""``archiver demo``: serve the bundled news site on loopback, crawl it, check the WARCs.

This is the README's first command: it needs no network and no configuration,
and shows every part of the archive (WARCs, items linked to records, checks).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from archiver.run.outcome import ExitCode

LOOPBACK_SPEED = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_START_DELAY": "0",
    "ARCHIVER_PROGRESS": "auto",
}


def next_commands(output: Path) -> list[str]:
    """What to try on the demo's archive; each works as printed (tests/test_console.py)."""
    out = str(output)
    return [
        f"archiver runs --output {out}",
        f"archiver report {out} -o {output / 'report.html'}",
        f"archiver wacz {out} -o {output / 'demo.wacz'}",
        f"archiver replay {out}",
    ]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo", help="crawl the bundled demo news site on 127.0.0.1 and check the archive"
    )
    parser.add_argument("--output", type=Path, default=Path("output") / "demo", metavar="DIR")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from archiver.console.log import crawl_console
    from archiver.console.summary import print_summary, summary_row
    from archiver.demo.server import serve
    from archiver.demo.site import demo_routes
    from archiver.run.runner import run_crawl
    from archiver.warccheck import check_warc

    with serve(demo_routes()) as site, crawl_console(0) as log_problems:
        print(f"demo news site serving on {site.base_url}/")
        result = run_crawl("site", {"urls": f"{site.base_url}/"}, args.output,
                           overrides=LOOPBACK_SPEED)
    print_summary(result, log_problems)
    problems = [problem for path in result.warc_files for problem in check_warc(path)
                if problem.severity == "error"]
    for problem in problems:
        print(f"  WARC problem: {problem}")
    verdict = "FAILED" if problems else "ok"
    print(summary_row("WARC check", f"{verdict} ({len(result.warc_files)} file(s))"))
    if result.items_path.exists():
        for line in result.items_path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            verdict = (item.get("paywall") or {})
            flag = f" [paywall: {verdict.get('kind')}]" if verdict.get("detected") else ""
            print(f"  article: {item['title']}{flag}\n"
                  f"           {item['warc_filename']} @ {item['warc_offset']}")
    if result.ok:
        print("next, try:\n" + "\n".join(f"  {command}" for command in next_commands(args.output)))
    return ExitCode.OK if result.ok and not problems else ExitCode.FAILED
