"""``archiver detect FILE.html|- [--url URL] [--json]``: one page's paywall verdict.

Reads a saved page (``.html``, ``.html.gz`` or standard input), runs the same
extraction and detection as the crawl, and prints the verdict with the
evidence for it: readable by default, the stored JSON object with ``--json``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from archiver.console.errors import UsageError
from archiver.run.outcome import ExitCode

if TYPE_CHECKING:
    from archiver.paywall.verdict import PaywallVerdict


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "detect",
        help="print the paywall verdict for a saved page",
        description="Detect a paywall in a saved page and print the verdict with its evidence.",
    )
    parser.add_argument("file", help="an .html or .html.gz file, or - for standard input")
    parser.add_argument("--url", default=None,
                        help="the page's URL (URL rules use it; default: file:// of FILE)")
    parser.add_argument("--json", action="store_true", help="print the verdict as JSON")
    parser.set_defaults(func=run)


def _read(name: str) -> bytes:
    data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data


def _readable(verdict: PaywallVerdict) -> str:
    state = f"paywall detected ({verdict.kind})" if verdict.detected else "no paywall detected"
    expected = verdict.expected_words if verdict.expected_words is not None else "unknown"
    lines = [
        f"verdict:    {state}, confidence {verdict.confidence:.2f}",
        f"truncated:  {'yes' if verdict.truncated else 'no'}"
        f" ({verdict.visible_words} words visible, {expected} expected)",
        f"declared:   {verdict.declared or 'nothing'}",
        f"vendors:    {', '.join(verdict.vendors) or 'none'}",
        "signals:" if verdict.signals else "signals:    none",
    ]
    lines += [f"  {s.weight:4.2f}  {s.name:<28} {s.evidence}" for s in verdict.signals]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from archiver.page import CapturedPage
    from archiver.paywall import detect_paywall
    from archiver.toolkit.kinds import data_kind, wrong_kind

    try:
        body = _read(args.file)
    except FileNotFoundError:
        raise UsageError(f"{args.file}: no such file; give the path of a saved .html or "
                         ".html.gz page, or - to read standard input") from None
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise UsageError(f"{args.file}: cannot read it ({error}); give a readable .html or "
                         ".html.gz file") from None
    kind = data_kind(body)
    if kind in ("empty", "warc", "wacz", "items"):
        name = "standard input" if args.file == "-" else args.file
        raise UsageError(wrong_kind(name, kind, "a saved .html or .html.gz page"))
    url = args.url or (Path(args.file).resolve().as_uri() if args.file != "-" else "stdin:")
    verdict = detect_paywall(CapturedPage(url=url, body=body))
    if args.json:
        print(json.dumps(verdict.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(_readable(verdict))
    return ExitCode.OK
