"""``archiver sites``: list the configured news sites; ``validate``: check them; ``probe``:
check their facts against the live sites.

Validation is the same code a crawl runs at start-up, so a config that passes
here will not stop a crawl later; every problem is reported with its file, key
and reason, and the exit code is 1 if any config is unusable. A probe fetches
each site's robots.txt, feeds and sitemaps (archived, as in any crawl) and
exits 1 if any of them is stale.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from archiver.console.errors import UsageError
from archiver.console.table import format_table
from archiver.run.outcome import ExitCode

if TYPE_CHECKING:
    from archiver.sites import SiteConfig, SiteFilter
    from archiver.sites.probe import ProbeResult


def add_sites_dir_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sites-dir", type=Path, metavar="DIR",
        help="directory of site configs (default: ARCHIVER_SITES_DIR, else the bundled "
        "spiders/sites/)",
    )


def add_settings_argument(parser: argparse.ArgumentParser | argparse._ArgumentGroup,
                          help_text: str = "override a Scrapy or ARCHIVER_* setting") -> None:
    """``-s NAME=VALUE`` (repeatable), as ``scrapy crawl`` takes it, for every verb that
    crawls."""
    parser.add_argument("-s", "--set", action="append", default=[], dest="settings",
                        metavar="NAME=VALUE", help=help_text)


def add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    """``--country``, ``--language``, ``--region``: the same selection for every verb."""
    group = parser.add_argument_group("choosing sites (repeatable or comma-separated)")
    group.add_argument("--country", action="append", metavar="CC",
                       help="ISO 3166 country code of publication, e.g. de, gb, za")
    group.add_argument("--language", action="append", metavar="LL",
                       help="ISO 639 language code, e.g. de, en, zu")
    group.add_argument("--region", action="append", metavar="R",
                       help="part of the area a title covers, e.g. bavaria, 'north rhine'")


def site_filter(args: argparse.Namespace) -> SiteFilter:
    from archiver.sites import SiteFilter

    return SiteFilter.of(args.country, args.language, args.region)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sites", help="list the configured news sites, validate their configs, or probe "
        "their feeds and sitemaps"
    )
    parser.add_argument("action", nargs="?", choices=["list", "validate", "probe"],
                        default="list", help="list (default), validate or probe")
    parser.add_argument("files", nargs="*", type=Path, metavar="SITE|FILE",
                        help="validate these config files instead of the whole directory; "
                        "probe these sites (names or files)")
    add_sites_dir_argument(parser)
    add_filter_arguments(parser)
    probing = parser.add_argument_group("probe")
    probing.add_argument("--output", type=Path, default=Path("output/probe"), metavar="DIR",
                         help="archive root of the probe's WARCs and reports (default "
                         "output/probe: apart from crawls, so neither waits for the other's "
                         "lock)")
    probing.add_argument("--stale-after", default="30d", metavar="AGE",
                         help="a feed or sitemap whose newest entry is older is stale "
                         "(default 30d; 12h, 2d, 1w or a date)")
    add_settings_argument(probing)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from archiver.sites import config_files, sites_dir

    directory = sites_dir(args.sites_dir)
    if args.action == "probe":
        return probe(args, directory)
    paths = args.files or config_files(directory)
    if args.files and args.action == "list":
        raise UsageError("FILE arguments go with `archiver sites validate FILE...`")
    if not paths:
        print(f"{directory}: no site configs (*.yaml) found", file=sys.stderr)
        return ExitCode.FAILED
    if args.action == "validate":
        return validate(paths)
    return list_sites(paths, site_filter(args))


def load_each(paths: list[Path]) -> tuple[list[tuple[Path, SiteConfig]], int]:
    """Every config that loads, and how many did not (their errors go to stderr)."""
    from archiver.sites import SiteConfigError, load_site

    loaded, bad = [], 0
    for path in paths:
        try:
            loaded.append((path, load_site(path)))
        except SiteConfigError as error:
            bad += 1
            print(error, file=sys.stderr)
    return loaded, bad


def validate(paths: list[Path]) -> int:
    loaded, bad = load_each(paths)
    for path, config in loaded:
        print(f"ok       {path} ({config.name})")
    print(f"{len(paths) - bad} of {len(paths)} site configs valid")
    return ExitCode.FAILED if bad else ExitCode.OK


def list_sites(paths: list[Path], wanted: SiteFilter) -> int:
    loaded, bad = load_each(paths)
    try:
        configs = wanted.choose([config for _, config in loaded])
    except ValueError as error:
        raise UsageError(str(error)) from None
    rows = [("NAME", "CC", "LANG", "REGION", "HOME", "TITLE")]
    for config in configs:
        rows.append((config.name, config.country or "-", config.language or "-",
                     config.region or "-", config.home[0], config.title or "-"))
    print(format_table(rows))
    if bad:
        print(f"{bad} config(s) invalid: run `archiver sites validate`", file=sys.stderr)
    return ExitCode.FAILED if bad else ExitCode.OK


def probe(args: argparse.Namespace, directory: Path) -> int:
    """Probe the named (or filtered) sites; 1 if a fact is stale, 2 on bad arguments."""
    from archiver.discovery.freshness import parse_since
    from archiver.run.runner import parse_overrides, run_crawl
    from archiver.sites import SiteConfigError, select_sites, site_names
    from archiver.sites.probe import read_report

    wanted = site_filter(args)
    try:
        if not (args.files or wanted):
            raise ValueError("name the SITEs to probe, or choose them with --country, "
                             "--language or --region")
        try:
            stale_before = parse_since(args.stale_after)
        except ValueError:
            raise ValueError(f"--stale-after {args.stale_after!r}: expected a duration (12h, "
                             "2d, 1w) or a date (2026-11-20)") from None
        overrides = parse_overrides(args.settings)
        names = select_sites([str(f) for f in args.files] or site_names(directory), directory,
                             wanted)
    except (SiteConfigError, ValueError) as error:
        raise UsageError(str(error)) from None
    overrides["ARCHIVER_SITES_DIR"] = str(directory)
    # A probe is short: one stopped midway is run again, not resumed from a JOBDIR.
    overrides.setdefault("JOBDIR", "")
    crawl_id = f"probe-{datetime.now(UTC):%Y%m%dT%H%M%S}"
    report = args.output / "reports" / f"{crawl_id}.jsonl"
    result = run_crawl("probe", {"site": ",".join(names), "report": str(report),
                                 "stale_before": stale_before.isoformat()},
                       args.output, crawl_id, None, overrides)
    if result.refusal:
        print(result.refusal, file=sys.stderr)
        return result.exit_code
    results = read_report(report)
    print_probe(results)
    stale = sum(r.stale for r in results)
    print(f"{len(results) - stale} of {len(results)} robots.txt, feeds and sitemaps work; "
          f"{stale} stale. Report: {report}; WARCs in {result.layout.warc_dir}")
    if not result.ok:
        print(f"probe crawl ended with {result.finish_reason}", file=sys.stderr)
        return result.exit_code or ExitCode.FAILED
    return ExitCode.FAILED if stale else ExitCode.OK


def print_probe(results: list[ProbeResult]) -> None:
    """One line per fact: what it gave, or why it is stale."""
    rows = [("SITE", "KIND", "STATUS", "ENTRIES", "NEWEST", "URL", "VERDICT")]
    for r in results:
        verdict = f"STALE: {r.problem}" if r.stale else "ok"
        rows.append((r.site, r.kind, str(r.status or "-"),
                     "-" if r.entries is None else str(r.entries),
                     f"{r.newest:%Y-%m-%d %H:%M}" if r.newest else "-", r.url,
                     "; ".join([verdict, *r.notes])))
    print(format_table(rows))
