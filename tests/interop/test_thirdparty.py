"""Other producers' archives through ``check``, ``index`` and ``reextract``.

Small WARC and ARC files from the test data of warcio, pywb, jwarc, resiliparse
and iipc/warc-specifications (wget, wpull, Heritrix, Common Crawl, warcio's own
broken samples). Fetched data is not committed (DEVELOPERS.md, the search
tool's rules): ``tests/fixtures/thirdparty/PROVENANCE.tsv`` names each file's
repository, path, commit, licence and SHA-256, and the files are read from
``../shared/corpus/thirdparty-warcs`` (or ``$ARCHIVER_THIRDPARTY_WARCS``); the
tests skip, saying so, where they are absent.

The rule is warcio's: every file ``warcio check`` accepts, ``archiver check``
accepts (at most with warnings: warcio's ``bad.arc``, ARC records of length -1,
1 and ``abc``, passes with three); every file it rejects, ours rejects naming the
file and an offset. The one exception, in ``UNSEEN_BY_WARCIO``, is damage warcio's
check cannot see, and FastWARC's check confirms it. No verb prints a traceback on
any of them, and on the files whose every record is whole, ``archiver index``
writes cdxj-indexer's index line for line.
"""

from __future__ import annotations

import csv
import hashlib
import os
import subprocess
from pathlib import Path

import pytest

from tests.crawling import read_records, run_archiver
from tests.toolkit.conftest import tool

PROVENANCE = Path(__file__).resolve().parents[1] / "fixtures" / "thirdparty" / "PROVENANCE.tsv"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "thirdparty-warcs"
FIXTURES = Path(os.environ.get("ARCHIVER_THIRDPARTY_WARCS") or SHARED)
UNSEEN_BY_WARCIO = {
    # The file's one gzip member stops without its trailer, 75,657 bytes into the record
    # at offset 0 (<urn:uuid:f3dfa8fa-f031-4a38-90cc-1dcee3d07bb5>, a Houston Press page):
    # its block is 75,207 of the 88,275 bytes its Content-Length declares. Replay would
    # serve a page cut mid-HTML, and its digests cannot hold: the SHA-1 of the bytes
    # present is I3H5D7JC..., not the declared block digest FG2VO675.... warcio 1.8
    # verifies a digest only when the whole Content-Length has been read, so `warcio
    # check` says "digest present but not checked" and exits 0; `fastwarc check -p`
    # fails the record.
    "chatnoir-eu--chatnoir-resiliparse/clipped.warc.gz":
        "torn record: its block is 13068 bytes shorter than its Content-Length",
}


def provenance() -> list[dict[str, str]]:
    with open(PROVENANCE, encoding="utf-8", newline="") as rows:
        return list(csv.DictReader(rows, delimiter="\t"))


@pytest.fixture(scope="module")
def fixtures() -> list[Path]:
    if not FIXTURES.is_dir():
        pytest.skip(f"{FIXTURES} is absent: the third-party WARCs named in {PROVENANCE} "
                    "live in shared/corpus/thirdparty-warcs (or $ARCHIVER_THIRDPARTY_WARCS; "
                    "rebuild them: python -m benchmarks.sources thirdparty)")
    paths = []
    for row in provenance():
        path = FIXTURES / row["file"]
        assert path.is_file(), f"{path} is missing ({row['repository']} {row['path']})"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == row["sha256"], path
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def whole(fixtures: list[Path]) -> list[Path]:
    """The files whose every record is whole and true: ``warcio check`` accepts them and
    they hold no damage warcio cannot see."""
    return [path for path in fixtures
            if path.relative_to(FIXTURES).as_posix() not in UNSEEN_BY_WARCIO
            and subprocess.run([tool("warcio"), "check", str(path)], capture_output=True,
                               timeout=120).returncode == 0]


def assert_no_traceback(process: subprocess.CompletedProcess[str]) -> None:
    """No traceback, no raw bytes, and each problem once, in our own form: a line that
    names a fixture (not a library's log line, as warcio's about spaces in a URI was)."""
    output = process.stdout + process.stderr
    assert "Traceback" not in output, output[-3000:]
    assert all(c.isprintable() for line in output.splitlines() for c in line)
    problems = process.stderr.splitlines()
    assert len(problems) == len(set(problems)), problems
    assert all(line.startswith(f"{FIXTURES}/") for line in problems), problems


def test_check_agrees_with_warcio_on_every_file(fixtures: list[Path], whole: list[Path]):
    process = run_archiver("check", *map(str, fixtures), timeout=600)
    assert_no_traceback(process)
    lines = process.stdout.splitlines()
    accepted, rejected = [], []
    for path in fixtures:
        ours = [line for line in lines if line.startswith(f"{path}: ")]
        errors = [line for line in ours if ": error: " in line]
        if path in whole:
            accepted.append(path)
            assert not errors and ours[-1].startswith(f"{path}: ok"), ours
        else:
            rejected.append(path)
            assert errors, path
            if unseen := UNSEEN_BY_WARCIO.get(path.relative_to(FIXTURES).as_posix()):
                assert [e for e in errors if e.startswith(f"{path}: offset 0: error: {unseen}")]
                fastwarc = subprocess.run([tool("fastwarc"), "check", "-p", str(path)],
                                          capture_output=True, text=True, timeout=120)
                assert fastwarc.returncode == 1, fastwarc.stdout
            assert all(e.startswith((f"{path}: offset ", f"{path}: file: ")) for e in errors)
            assert [e for e in errors if e.startswith(f"{path}: offset ")], errors
    assert len(accepted) >= 25 and len(rejected) >= 4, (accepted, rejected)
    assert process.returncode == 1


def test_index_is_cdxj_indexers_on_every_whole_file(whole: list[Path]):
    ours = run_archiver("index", *map(str, whole), timeout=600)
    assert ours.returncode == 0, ours.stderr
    theirs = subprocess.run([tool("cdxj-indexer"), "--sort", *map(str, whole)],
                            capture_output=True, text=True, timeout=600)
    assert theirs.returncode == 0, theirs.stderr
    assert ours.stdout == theirs.stdout and ours.stdout.count("\n") > 50


def test_index_and_reextract_read_every_file(fixtures: list[Path], tmp_path: Path):
    index = run_archiver("index", *map(str, fixtures), timeout=600)
    assert_no_traceback(index)
    assert index.stdout.count("\n") > 50
    lines = index.stdout.splitlines()
    assert lines == sorted(lines)
    items = tmp_path / "items.jsonl"
    reextract = run_archiver("reextract", *map(str, fixtures), "-o", str(items), timeout=600)
    assert_no_traceback(reextract)
    assert reextract.returncode in (0, 1)
    assert items.is_file()


HERITRIX_PAIRS = [
    ("iipc--warc-specifications/20130729-heritrix-original.warc.gz",
     "iipc--warc-specifications/20130729-heritrix-revisit-with-http-headers.warc.gz"),
    ("iipc--warc-specifications/20141129-heritrix-original.warc.gz",
     "iipc--warc-specifications/"
     "20141129-heritrix-revisit-with-http-headers-and-new-warc-headers.warc.gz"),
]


def test_fastwarc_fails_heritrix_revisits_as_it_fails_ours(fixtures: list[Path],
                                                           tmp_path: Path):
    """The reference crawler's identical-payload revisits carry their original's payload
    digest, as ours do (WARC 1.1 6.7.2), and ``fastwarc check -p`` passes the original's
    payload but fails the revisit's: FastWARC hashes the revisit's own (left-off) block.
    So the CI check of our crawl holds FastWARC to every record but revisits' payloads."""
    for original_name, revisit_name in HERITRIX_PAIRS:
        verdicts, digests = {}, {}
        for name in (original_name, revisit_name):
            report = tmp_path / "fastwarc.txt"
            subprocess.run([tool("fastwarc"), "check", "-p", "-q", "-o", str(report),
                            str(FIXTURES / name)], capture_output=True, timeout=120,
                           check=False)
            (verdicts[name],) = [line.split(": ", 1)[1]
                                 for line in report.read_text().splitlines()]
            (record,) = read_records(FIXTURES / name)
            digests[name] = (record.rec_type, record.header("WARC-Payload-Digest"))
        assert digests[original_name][0] == "response"
        assert digests[revisit_name][0] == "revisit"
        assert digests[revisit_name][1] == digests[original_name][1]
        assert verdicts[original_name].endswith("PAYLOAD_OK")
        assert verdicts[revisit_name].endswith("PAYLOAD_FAIL")
