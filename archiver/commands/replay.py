"""``archiver replay DIR [--port N]``: browse a crawl in pywb on 127.0.0.1."""

from __future__ import annotations

import argparse
import re
import signal
import subprocess
import sys
from pathlib import Path

from archiver.console.errors import UsageError
from archiver.layout import REPLAY_DIRNAME, OutputLayout
from archiver.run.outcome import ExitCode
from archiver.toolkit.replay import (
    PywbMissing,
    build_collection,
    default_venv,
    find_pywb,
    install_pywb,
    port_in_use,
    pywb_venv,
    replay_url,
    start_wayback,
    wait_until_serving,
)

COLLECTION_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "replay", help="replay a crawl's WARCs in pywb on 127.0.0.1 (builds the collection)"
    )
    parser.add_argument("directory", type=Path, nargs="?", metavar="DIR",
                        help="a crawl's output directory (its WARCs are under DIR/warc/)")
    parser.add_argument("--port", type=int, default=8080, help="port on 127.0.0.1 (8080)")
    parser.add_argument("--collection", default="crawl", help="pywb collection name (crawl)")
    parser.add_argument("--root", type=Path, metavar="PATH",
                        help=f"where the pywb collection lives (default: DIR/{REPLAY_DIRNAME})")
    parser.add_argument("--install-pywb", action="store_true",
                        help=f"install pywb into its own virtual environment ({default_venv()} "
                             "or $ARCHIVER_PYWB_VENV) and exit")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from archiver.toolkit.inputs import item_files, read_items, warc_paths
    from archiver.toolkit.pages import pages_from_items

    if args.install_pywb:
        tools = install_pywb(pywb_venv())
        print(f"pywb installed: {tools.wayback}")
        return ExitCode.OK
    if args.directory is None:
        raise UsageError("give a crawl's output directory (DIR)")
    if not COLLECTION_NAME.match(args.collection):
        raise UsageError(f"--collection {args.collection!r}: use letters, digits, - and _ only")
    warcs = warc_paths([args.directory])
    if port_in_use(args.port):
        raise UsageError(f"127.0.0.1:{args.port} is in use by another program; "
                         "choose a free one with --port")
    try:
        pywb = find_pywb()
    except PywbMissing as error:
        raise UsageError(str(error)) from None
    root = args.root or OutputLayout.of(args.directory).replay_dir
    collection, added = build_collection(pywb, root, args.collection, warcs)
    print(f"collection {collection.name} in {root}: {len(warcs)} WARC files "
          f"({len(added)} added now)", flush=True)
    server = start_wayback(pywb, root, args.port)
    # A service manager stops us with SIGTERM: leave through `finally` to stop wayback too.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    try:
        if not wait_until_serving(replay_url(args.port, args.collection), server):
            print(f"wayback did not start on 127.0.0.1:{args.port} (exit {server.poll()}); "
                  "is the port in use? try --port", file=sys.stderr)
            return ExitCode.FAILED
        print(f"replaying at {replay_url(args.port, args.collection)}", flush=True)
        articles = pages_from_items(read_items(item_files(args.directory)),
                                    {warc.name for warc in warcs})
        if articles:
            print(f"first article: {replay_url(args.port, args.collection, articles[0].url)}",
                  flush=True)
        print("press Ctrl-C to stop", flush=True)
        server.wait()
    except KeyboardInterrupt:
        print("stopped", flush=True)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    return ExitCode.OK
