"""``archiver detect``: the verdict for a saved page, readable or as JSON."""

from __future__ import annotations

import gzip
import io
import json
import sys
from pathlib import Path

from archiver import cli
from tests.paywall.conftest import TUNING

SEED = TUNING / "seed_almonitor_en_hard.html"


def run_detect(*argv: str) -> int:
    """Run the verb as ``archiver detect`` does (errors mapped to exit codes by cli.main)."""
    return cli.main(["detect", *argv])


def test_readable_output_gives_verdict_then_each_signal(capsys):
    assert run_detect(str(SEED), "--url", "https://www.al-monitor.com/originals/x") == 0
    out = capsys.readouterr().out
    assert out.startswith("verdict:    paywall detected (hard)")
    assert "truncated:  yes" in out and "declared:   paywalled" in out
    assert '0.30  prompt.price                 "Only $100 per year" after_body' in out


def test_json_output_is_the_stored_verdict(capsys, tmp_path: Path):
    packed = tmp_path / "seed.html.gz"
    packed.write_bytes(gzip.compress(SEED.read_bytes()))
    assert run_detect(str(packed), "--json") == 0
    document = json.loads(capsys.readouterr().out)
    assert document["detected"] is True and document["kind"] == "hard"
    assert {"name", "weight", "evidence", "contribution"} == set(document["signals"][0])


def test_standard_input_and_bad_html(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\x00<p>broken <div")))
    assert run_detect("-", "--json") == 0
    assert json.loads(capsys.readouterr().out)["detected"] is False


def test_missing_file_is_a_clear_error(capsys, tmp_path: Path):
    missing = tmp_path / "nowhere.html"
    assert run_detect(str(missing)) == 2
    err = capsys.readouterr().err
    assert str(missing) in err and "no such file" in err and ".html.gz" in err


def test_archiver_dispatcher_runs_detect(capsys):
    assert cli.main(["detect", str(SEED)]) == 0
    assert capsys.readouterr().out.startswith("verdict:    paywall detected (hard)")
