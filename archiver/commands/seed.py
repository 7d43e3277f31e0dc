"""``archiver seed``: clear a Redis frontier and seed a run for N workers.

``archiver seed --frontier redis://HOST:PORT/DB SITE...`` (or ``--url URL``)
takes the same targets as ``archiver crawl``, checks them the same way, and
puts the run's start requests and description on the frontier; each worker
then runs ``archiver crawl --frontier redis://HOST:PORT/DB --output DIR``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from archiver.commands.crawl import _spider, add_target_arguments
from archiver.commands.sites import add_settings_argument
from archiver.console.errors import UsageError
from archiver.frontier.settings import FRONTIER_ENV
from archiver.run.outcome import ExitCode


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "seed", help="clear a Redis frontier and seed a run for `archiver crawl --frontier` "
        "workers"
    )
    add_target_arguments(parser)
    parser.add_argument("--frontier", metavar="URL", default=os.environ.get(FRONTIER_ENV),
                        help="the Redis frontier, e.g. redis://127.0.0.1:6379/0 "
                        "(default: $ARCHIVER_FRONTIER)")
    parser.add_argument("--run-id", metavar="ID",
                        help="run id, the prefix of every worker's crawl id "
                        "(default: crawl-<time>)")
    add_settings_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from archiver.addon import default_crawl_id
    from archiver.frontier.run import FrontierError, seed
    from archiver.run.runner import crawl_settings, parse_overrides
    from archiver.sites import SiteConfigError

    try:
        if not args.frontier:
            raise UsageError("--frontier URL (or ARCHIVER_FRONTIER) is required, e.g. "
                             "--frontier redis://127.0.0.1:6379/0")
        overrides = parse_overrides(args.settings)
        spider, spider_args = _spider(args, overrides)
        run_id = args.run_id or default_crawl_id()
        # The seeder runs no crawl: no output directory, no feed is written.
        settings = crawl_settings(Path(os.devnull), run_id, overrides=overrides)
        plan = seed(args.frontier, run_id, spider, spider_args, settings)
    except (SiteConfigError, ValueError) as error:
        raise UsageError(str(error)) from None
    except FrontierError as error:
        print(error, file=sys.stderr)
        return ExitCode.FAILED
    print(f"seeded run {plan.run_id} on {args.frontier}: {plan.seeds} start requests for the "
          f"{plan.spider} spider; start workers with "
          f"`archiver crawl --frontier {args.frontier} --output DIR`")
    return ExitCode.OK
