"""Rebuild the third-party data the benchmarks and interop tests read, from git.

The real paywall corpus (``benchmarks/paywall/real/labels.jsonl``) and the
third-party WARCs (``tests/fixtures/thirdparty/PROVENANCE.tsv``) are other
projects' files and are not committed here; each row names the repository,
path and commit it came from and the hash of its bytes. Given local clones of
those repositories (``git clone --mirror`` or any clone with the history), this
writes every file where the benchmark and the tests look for it, checking each
hash, so anyone can rebuild the data without the steering repository's
``shared/``::

    python -m benchmarks.sources paywall --git-dirs 'clones/{owner}/{name}'
    python -m benchmarks.sources thirdparty --git-dirs 'clones/{owner}/{name}'

``--git-dirs`` is a template naming where a repository's clone is. Exit codes:
0 every file written and checked, 1 some missing or with another hash (each
named on one line), 2 bad arguments.
"""

from __future__ import annotations

import argparse
import ast
import csv
import gzip
import hashlib
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from benchmarks.paywall.corpus import all_real_labels, real_pages_dir

ROOT = Path(__file__).resolve().parents[1]
THIRDPARTY_PROVENANCE = ROOT / "tests" / "fixtures" / "thirdparty" / "PROVENANCE.tsv"
THIRDPARTY_DEFAULT = ROOT.parent / "shared" / "corpus" / "thirdparty-warcs"
BYTES_LITERAL = "python-bytes-literal"
"""A label's ``source.encoding`` when the blob is ``repr(bytes)`` of the page (a
student project saved its downloads so): ``ast.literal_eval`` gives the page back."""


@dataclass(frozen=True)
class Source:
    """One file to rebuild: where it came from, where it goes, how to check it."""

    repository: str
    path: str
    commit: str
    target: str
    digest: str
    algorithm: str
    decode: Callable[[bytes], bytes]
    encode: Callable[[bytes], bytes]


def _same(data: bytes) -> bytes:
    return data


def _page_bytes(path: str, encoding: str | None) -> Callable[[bytes], bytes]:
    def decode(blob: bytes) -> bytes:
        if encoding and encoding.startswith(BYTES_LITERAL):
            return ast.literal_eval(blob.decode("ascii"))
        return gzip.decompress(blob) if path.endswith(".gz") else blob
    return decode


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def paywall_sources() -> Iterator[Source]:
    """The real corpus' pages: the label's ``sha1`` is of the page's HTML, and the
    page is stored gzipped under the label's ``file``."""
    for label in all_real_labels():
        source = label["source"]
        yield Source(source["repository"], source["path"], source["commit"], label["file"],
                     source["sha1"], "sha1", _page_bytes(source["path"], source.get("encoding")),
                     _gzip)


def thirdparty_sources() -> Iterator[Source]:
    """The third-party WARC and ARC files, byte for byte (SHA-256 of the file)."""
    with open(THIRDPARTY_PROVENANCE, encoding="utf-8", newline="") as rows:
        for row in csv.DictReader(rows, delimiter="\t"):
            yield Source(row["repository"], row["path"], row["commit"], row["file"],
                         row["sha256"], "sha256", _same, _same)


def git_show(git_dir: Path, commit: str, path: str) -> bytes | None:
    shown = subprocess.run(["git", "-C", str(git_dir), "show", f"{commit}:{path}"],
                           capture_output=True, check=False)
    return shown.stdout if shown.returncode == 0 else None


def rebuild(sources: Iterator[Source], git_dirs: str, out: Path) -> list[str]:
    """Write every source under ``out``; return one line per file that could not be."""
    problems = []
    for source in sources:
        owner, name = source.repository.split("/", 1)
        git_dir = Path(git_dirs.format(owner=owner, name=name))
        blob = git_show(git_dir, source.commit, source.path) if git_dir.exists() else None
        if blob is None:
            problems.append(f"{source.target}: {source.repository} {source.commit[:12]}:"
                            f"{source.path} not found in {git_dir}")
            continue
        data = source.decode(blob)
        if hashlib.new(source.algorithm, data).hexdigest() != source.digest:
            problems.append(f"{source.target}: {source.algorithm} differs from the recorded "
                            f"{source.digest[:12]} ({source.repository} {source.path})")
            continue
        target = out / source.target
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".open")
        partial.write_bytes(source.encode(data))
        partial.rename(target)
    return problems


DATASETS = {
    "paywall": (paywall_sources, real_pages_dir, "ARCHIVER_PAYWALL_CORPUS"),
    "thirdparty": (thirdparty_sources, lambda: THIRDPARTY_DEFAULT, "ARCHIVER_THIRDPARTY_WARCS"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sources",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", choices=sorted(DATASETS))
    parser.add_argument("--git-dirs", required=True,
                        help="where each repository's clone is, e.g. 'clones/{owner}/{name}'")
    parser.add_argument("--out", type=Path,
                        help="where to write (default: where the benchmark or test reads)")
    args = parser.parse_args(argv)
    if "{owner}" not in args.git_dirs or "{name}" not in args.git_dirs:
        parser.error("--git-dirs must name {owner} and {name}")
    sources, default, variable = DATASETS[args.dataset]
    out = args.out or default()
    listed = list(sources())
    problems = rebuild(iter(listed), args.git_dirs, out)
    for problem in problems:
        print(f"sources: {problem}", file=sys.stderr)
    print(f"{args.dataset}: {len(listed) - len(problems)} of {len(listed)} files written to "
          f"{out}" + (f" (point {variable} there)" if args.out else ""))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
