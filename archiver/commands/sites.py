"""``archiver sites``: list the configured news sites; ``archiver sites validate``: check them.

Validation is the same code a crawl runs at start-up, so a config that passes
here will not stop a crawl later; every problem is reported with its file, key
and reason, and the exit code is 1 if any config is unusable.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from archiver.sites import (
    SiteConfig,
    SiteConfigError,
    SiteFilter,
    config_files,
    load_site,
    sites_dir,
)


def add_sites_dir_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sites-dir", type=Path, metavar="DIR",
        help="directory of site configs (default: ARCHIVER_SITES_DIR, else the bundled "
        "spiders/sites/)",
    )


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
    return SiteFilter.of(args.country, args.language, args.region)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sites", help="list the configured news sites, or validate their configs"
    )
    parser.add_argument("action", nargs="?", choices=["list", "validate"], default="list",
                        help="list (default) or validate")
    parser.add_argument("files", nargs="*", type=Path, metavar="FILE",
                        help="validate these config files instead of the whole directory")
    add_sites_dir_argument(parser)
    add_filter_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    directory = sites_dir(args.sites_dir)
    paths = args.files or config_files(directory)
    if args.files and args.action == "list":
        print("FILE arguments go with `archiver sites validate FILE...`", file=sys.stderr)
        return 2
    if not paths:
        print(f"{directory}: no site configs (*.yaml) found", file=sys.stderr)
        return 1
    if args.action == "validate":
        return validate(paths)
    return list_sites(paths, site_filter(args))


def load_each(paths: list[Path]) -> tuple[list[tuple[Path, SiteConfig]], int]:
    """Every config that loads, and how many did not (their errors go to stderr)."""
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
    return 1 if bad else 0


def list_sites(paths: list[Path], wanted: SiteFilter) -> int:
    loaded, bad = load_each(paths)
    try:
        configs = wanted.choose([config for _, config in loaded])
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    rows = [("NAME", "CC", "LANG", "REGION", "HOME", "TITLE")]
    for config in configs:
        rows.append((config.name, config.country or "-", config.language or "-",
                     config.region or "-", config.home[0], config.title or "-"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
              + "  " + row[-1])
    if bad:
        print(f"{bad} config(s) invalid: run `archiver sites validate`", file=sys.stderr)
    return 1 if bad else 0
