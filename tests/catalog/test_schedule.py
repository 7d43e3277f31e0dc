"""``archiver schedule`` prints units systemd accepts and cron lines that run a crawl;
``archiver runs`` explains a missing catalog."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from archiver.demo.server import serve
from archiver.sites import bundled_sites_dir, site_names
from tests.catalog.site import article_page, validated
from tests.crawling import run_archiver

UNIT_HEADER = re.compile(r"^# /etc/systemd/system/(\S+)$", re.MULTILINE)


def units(text: str) -> dict[str, str]:
    parts = UNIT_HEADER.split(text)
    return {name: body.split("\n# enable with:")[0] for name, body in
            zip(parts[1::2], parts[2::2], strict=True)}


def test_systemd_units_for_a_url_crawl(tmp_path: Path):
    printed = run_archiver("schedule", "--url", "http://127.0.0.1:9/", "--every", "6h",
                           "--output", str(tmp_path), "--format", "systemd")
    assert printed.returncode == 0, printed.stderr
    found = units(printed.stdout)
    assert set(found) == {"archiver-127.0.0.1.service", "archiver-127.0.0.1.timer"}
    service = found["archiver-127.0.0.1.service"]
    this_archiver = shlex.join([sys.executable, "-m", "archiver"])
    assert re.search("^ExecStart=" + re.escape(this_archiver) + " crawl --url "
                     "http://127.0.0.1:9/ --output " + re.escape(str(tmp_path / "127.0.0.1"))
                     + "$", service, re.MULTILINE)
    assert "SuccessExitStatus=3 75" in service and "KillSignal=SIGINT" in service
    calendar = re.search(r"^OnCalendar=(.+)$", found["archiver-127.0.0.1.timer"], re.MULTILINE)
    assert calendar and re.fullmatch(r"\*-\*-\* 0[0-5]/6:\d\d:00", calendar[1])
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze not installed: units not verified by systemd")
    for name, body in found.items():
        (tmp_path / name).write_text(body)
    verify = subprocess.run(["systemd-analyze", "verify", *(str(tmp_path / n) for n in found)],
                            capture_output=True, text=True, timeout=60)
    assert verify.returncode == 0, verify.stderr
    check = subprocess.run(["systemd-analyze", "calendar", calendar[1]], capture_output=True,
                           text=True, timeout=60)
    assert check.returncode == 0, check.stderr


def test_one_job_per_configured_site_with_spread_start_minutes(tmp_path: Path):
    names = site_names(bundled_sites_dir())
    assert len(names) > 1, "the project ships site configs"
    printed = run_archiver("schedule", "--every", "1h", "--output", str(tmp_path))
    assert printed.returncode == 0, printed.stderr
    assert set(units(printed.stdout)) == {f"archiver-{n}.{kind}" for n in names
                                         for kind in ("service", "timer")}
    cron = [line for line in printed.stdout.splitlines() if re.match(r"^\d", line)]
    assert len(cron) == len(names)
    for name, line in zip(names, cron, strict=True):
        assert f" crawl {name} --output {tmp_path / name} " in line
    assert len({line.split()[0] for line in cron}) > 1, "not every site starts at the same minute"


def test_the_cron_line_runs_a_crawl(tmp_path: Path):
    with serve({"/": validated(article_page("Cron story", 1), "c")}) as site:
        printed = run_archiver("schedule", "--url", site.base_url + "/", "--name", "local",
                               "--every", "15m", "--format", "cron", "--output", str(tmp_path),
                               "-s", "DOWNLOAD_DELAY=0")
        line = printed.stdout.strip().splitlines()[-1]
        fields = line.split(" ", 5)
        assert re.fullmatch(r"\d{1,2}-59/15", fields[0]) and fields[1:5] == ["*"] * 4
        # the archiver that printed the line (this interpreter's), not one found on PATH
        assert f" && {shlex.join([sys.executable, '-m', 'archiver'])} crawl " in fields[5]
        (tmp_path / "local").mkdir()
        ran = subprocess.run(["sh", "-c", fields[5].replace("\\%", "%")], capture_output=True,
                             text=True, timeout=120, env={**os.environ, "PATH": "/usr/bin:/bin"})
    assert ran.returncode == 0 and ran.stdout == "", "cron mails output only on failure"
    assert list((tmp_path / "local" / "warc").glob("*.warc.gz"))
    assert "crawl " in (tmp_path / "local" / "cron.log").read_text()


def test_the_console_script_names_itself_by_absolute_path(tmp_path: Path):
    """Run as the installed ``archiver`` script, from a PATH that does not hold it."""
    script = Path(sys.executable).parent / "archiver"
    if not script.is_file():
        pytest.skip(f"{script}: no console script beside this interpreter (not a pip install)")
    printed = subprocess.run([str(script), "schedule", "--url", "http://127.0.0.1:9/",
                              "--format", "cron", "--output", str(tmp_path)],
                             capture_output=True, text=True, timeout=60,
                             env={**os.environ, "PATH": "/usr/bin:/bin"})
    assert printed.returncode == 0, printed.stderr
    assert f" && {shlex.quote(str(script))} crawl --url " in printed.stdout


def test_bad_intervals_and_missing_catalogs_are_explained(tmp_path: Path):
    bad = run_archiver("schedule", "--url", "http://127.0.0.1:9/", "--every", "7h")
    assert bad.returncode == 2 and "hours dividing 24" in bad.stderr
    missing = run_archiver("runs", "--output", str(tmp_path))
    assert missing.returncode == 1 and "no catalog here" in missing.stderr
