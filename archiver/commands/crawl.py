"""``archiver crawl``: crawl configured news sites, or start URLs, into WARCs and items.

``archiver crawl SITE...`` and ``archiver crawl --all`` run the ``news`` spider
on site configs; ``archiver crawl --url URL`` runs the ``site`` spider, which
discovers articles the same way (robots.txt sitemaps, announced feeds, links).
Configs and arguments are checked before the crawler starts, so a bad config
costs no request.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

from archiver.commands.sites import (
    add_filter_arguments,
    add_settings_argument,
    add_sites_dir_argument,
    site_filter,
)
from archiver.console.errors import UsageError
from archiver.frontier.settings import FRONTIER_ENV
from archiver.pathsafety import check_settings
from archiver.run.outcome import ExitCode


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "crawl", help="crawl configured news sites, or start URLs, into WARC files and items"
    )
    add_target_arguments(parser)
    parser.add_argument("--render", action="store_true",
                        help="also render each article in Chromium: rendered DOM and "
                        "screenshot records, verdicts that see script-drawn walls "
                        "(pip install 'news-archiver[render]')")
    parser.add_argument("--frontier", metavar="URL", default=os.environ.get(FRONTIER_ENV),
                        help="be one worker of a run seeded with `archiver seed` on this "
                        "Redis frontier (default: $ARCHIVER_FRONTIER); no SITE or --url then")
    parser.add_argument("--output", type=Path, default=Path("output"), metavar="DIR",
                        help="archive root: WARCs in DIR/warc/, items in DIR/*.jsonl")
    parser.add_argument("--max-pages", type=int, metavar="N",
                        help="stop after N responses (CLOSESPIDER_PAGECOUNT)")
    parser.add_argument("--crawl-id", metavar="ID", help="crawl id (default: crawl-<time>)")
    parser.add_argument("--reanalyse", action="store_true",
                        help="analyse unchanged pages again instead of reusing their stored "
                             "verdicts (ARCHIVER_REANALYSE)")
    add_settings_argument(parser)
    add_console_arguments(parser)
    parser.set_defaults(func=run)


def add_console_arguments(parser: argparse.ArgumentParser) -> None:
    """``-v``/``-q``: how much of the crawl's log the console shows (all of it is in
    DIR/logs/CRAWL_ID.log)."""
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="show Scrapy's INFO messages too (-vv: DEBUG)")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no progress display; errors and the summary only")


def verbosity(args: argparse.Namespace) -> int:
    return -1 if args.quiet else args.verbose


def add_target_arguments(parser: argparse.ArgumentParser) -> None:
    """What to crawl: SITE names, --all or --url, and --since (crawl and seed)."""
    parser.add_argument("sites", nargs="*", metavar="SITE",
                        help="configured site name (see `archiver sites`) or a config file")
    parser.add_argument("--all", action="store_true", help="crawl every configured site")
    parser.add_argument("--url", action="append", default=[], dest="urls", metavar="URL",
                        help="start URL without a config (repeatable); its hosts' links, "
                        "robots.txt sitemaps and announced feeds are followed")
    parser.add_argument("--since", metavar="AGE",
                        help="skip sitemap and feed entries older than this: 30m, 12h, 2d, "
                        "1w, or a date (2026-11-20)")
    add_sites_dir_argument(parser)
    add_filter_arguments(parser)


def _spider(args: argparse.Namespace, overrides: dict[str, str]) -> tuple[str, dict[str, str]]:
    """The spider and its arguments; raises UsageError/SiteConfigError on bad input."""
    from archiver.discovery.freshness import parse_since
    from archiver.sites import select_sites, site_names, sites_dir

    if args.urls and (args.sites or args.all or site_filter(args)):
        raise UsageError("give either SITE names / --all (and filters), or --url URLs, not both")
    if not (args.urls or args.sites or args.all):
        raise UsageError("nothing to crawl: name SITEs (see `archiver sites`), --all, "
                         "or --url URL")
    since = {}
    if args.since:
        parse_since(args.since)
        since = {"since": args.since}
    if args.urls:
        for url in args.urls:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise UsageError(f"--url {url!r}: not an http(s) URL, e.g. "
                                 "--url https://example.org/")
        return "site", {"urls": ",".join(args.urls), **since}
    directory = sites_dir(args.sites_dir or overrides.get("ARCHIVER_SITES_DIR"))
    names = list(dict.fromkeys([*args.sites, *(site_names(directory) if args.all else [])]))
    if not names:
        raise UsageError(f"--all: no site configs (*.yaml) in {directory}")
    names = select_sites(names, directory, site_filter(args))
    overrides["ARCHIVER_SITES_DIR"] = str(directory)
    return "news", {"site": ",".join(names), **since}


def run(args: argparse.Namespace) -> int:
    # First, before the verb's other imports: see archiver.run.runner's note on it.
    import scrapy.core.downloader.contextfactory  # noqa: F401

    from archiver.access.cookies import load_cookie_file
    from archiver.addon import DEFAULTS
    from archiver.console.log import crawl_console
    from archiver.console.summary import print_summary
    from archiver.render.browser import RenderUnavailable, check_render_support
    from archiver.run.runner import parse_overrides, run_crawl
    from archiver.sites import SiteConfigError

    crawl_id = args.crawl_id
    try:
        overrides = parse_overrides(args.settings)
        check_settings({**overrides, "ARCHIVER_CRAWL_ID": crawl_id})
        if args.reanalyse:
            overrides["ARCHIVER_REANALYSE"] = "True"
        if args.frontier:
            # Imported here: Redis is needed by workers only.
            from archiver.frontier.run import FrontierError, join_run

            if args.sites or args.all or args.urls:
                raise UsageError("--frontier: a worker crawls what `archiver seed` put on the "
                                 "frontier; give SITE names or --url to `archiver seed`")
            try:
                plan = join_run(args.frontier, overrides, args.sites_dir)
            except FrontierError as error:
                print(error, file=sys.stderr)
                return ExitCode.FAILED
            spider, spider_args = plan.spider, plan.args
            crawl_id = crawl_id or plan.worker_crawl_id()
        else:
            spider, spider_args = _spider(args, overrides)
        if overrides.get("ARCHIVER_COOKIES_FILE"):
            load_cookie_file(overrides["ARCHIVER_COOKIES_FILE"])
        if args.render:
            overrides["ARCHIVER_RENDER"] = "True"
            check_render_support(overrides.get("ARCHIVER_RENDER_CHROMIUM",
                                               str(DEFAULTS["ARCHIVER_RENDER_CHROMIUM"])))
    except (SiteConfigError, ValueError, RenderUnavailable) as error:
        # a site config, --since, a filter, a cookies file or a renderer that cannot be used
        raise UsageError(str(error)) from None
    overrides.setdefault("ARCHIVER_PROGRESS", "off" if args.quiet else "auto")
    with crawl_console(verbosity(args)) as problems:
        result = run_crawl(spider, spider_args, args.output, crawl_id, args.max_pages,
                           overrides)
    print_summary(result, problems)
    return result.exit_code
