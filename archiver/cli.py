"""The ``archiver`` command: one sub-command per module in :mod:`archiver.commands`.

Each command module exposes ``register(subparsers)``, which adds its parser and
sets ``func`` to a callable taking the parsed arguments and returning an exit code.
Adding a verb is adding a module and naming it in ``COMMANDS``.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from archiver import __version__

COMMANDS = [
    "crawl", "demo", "check", "detect", "index", "reextract", "wacz", "replay", "sites",
    "report", "runs", "schedule", "seed",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="archiver",
        description="Crawl news sites into WARC archives with paywall verdicts.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"archiver.commands.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:
        # Output piped into `head` and the like: stop quietly, as Unix tools do.
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
