"""The console as people meet it: a quiet crawl with progress, one line per bad input,
the demo's next steps, a fast ``--help`` (issue 15)."""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archiver.commands.demo import next_commands
from archiver.demo.server import Route, serve
from tests.crawling import FAST, run_archiver
from tests.ports import start_on_free_port
from tests.pywb import pywb_or_skip
from tests.test_capture import article

ARTICLES = 300
HEAVY_MODULES = ("scrapy", "twisted", "sqlalchemy", "archiver.paywall", "archiver.sites")


def news_site(articles: int) -> dict[str, Route]:
    links = "".join(f'<a href="/news/{n}">Story {n}</a>' for n in range(articles))
    routes = {"/": Route(body=f"<html><body>{links}</body></html>".encode())}
    routes |= {f"/news/{n}": Route(body=article(f"Story number {n} of the day"))
               for n in range(articles)}
    return routes


def in_a_terminal(args: list[str], timeout: float = 600) -> tuple[int, str]:
    """Run ``archiver ARGS`` with a pseudo-terminal as stdout and stderr, as a person would."""
    main, child = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "archiver", *args], stdin=subprocess.DEVNULL,
                               stdout=child, stderr=child, env={**os.environ, "COLUMNS": "160"})
    os.close(child)
    output = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 1)
        if ready:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
        elif process.poll() is not None:
            break
    os.close(main)
    return process.wait(timeout=60), output.decode("utf-8", "replace")


def test_help_and_the_bare_command_import_no_scrapy():
    for args in (["--help"], []):
        process = subprocess.run([sys.executable, "-X", "importtime", "-m", "archiver", *args],
                                 capture_output=True, text=True, timeout=60)
        imported = {line.rsplit("|", 1)[-1].strip() for line in process.stderr.splitlines()
                    if line.startswith("import time:")}
        heavy = sorted(m for m in imported if m.split(".")[0] in HEAVY_MODULES
                       or m.startswith(HEAVY_MODULES))
        assert heavy == [], f"archiver {' '.join(args)} imports {heavy[:5]}"
        assert "crawl" in process.stdout and "replay" in process.stdout, process.stdout
    assert run_archiver().returncode == 2


def test_every_verb_help_imports_no_scrapy():
    from archiver.cli import COMMANDS

    for verb in COMMANDS:
        process = subprocess.run([sys.executable, "-X", "importtime", "-m", "archiver", verb,
                                  "--help"], capture_output=True, text=True, timeout=60)
        assert process.returncode == 0, process.stderr[-500:]
        assert "| scrapy\n" not in process.stderr, f"archiver {verb} --help imports Scrapy"


def test_a_300_article_crawl_shows_progress_and_a_summary_in_few_lines(tmp_path: Path):
    with serve(news_site(ARTICLES)) as site:
        code, output = in_a_terminal(["crawl", "--url", site.base_url + "/", "--output",
                                      str(tmp_path), *FAST])
    assert code == 0, output[-3000:]
    # the live line is redrawn in place (carriage return, erase): only newlines add lines
    assert output.count("\n") < 60, output
    assert re.search(r"\d+ pages, \d+ articles, \d+ paywalled", output), "a progress line"
    assert f"articles:             {ARTICLES}" in output, output
    assert "Story number" not in output, "no item dumps"
    log = next((tmp_path / "logs").glob("*.log")).read_text()
    assert "Dumping Scrapy stats" in log and "Spider closed" in log, "Scrapy's log is in the file"


def test_progress_lines_when_not_on_a_terminal(tmp_path: Path):
    with serve(news_site(60)) as site:
        process = run_archiver("crawl", "--url", site.base_url + "/", "--output", str(tmp_path),
                               *FAST, "-s", "DOWNLOAD_DELAY=0.02",
                               "-s", "ARCHIVER_PROGRESS_INTERVAL=0.2")
    assert process.returncode == 0, process.stderr[-2000:]
    progress = [line for line in process.stderr.splitlines() if line.startswith("progress: ")]
    assert progress, process.stderr
    assert "\x1b" not in process.stderr, "no control characters in logs"
    assert len((process.stdout + process.stderr).splitlines()) < 60 + len(progress)


def test_a_failed_run_names_its_cause(tmp_path: Path):
    with socket.socket() as closed_port:
        closed_port.bind(("127.0.0.1", 0))
        port = closed_port.getsockname()[1]
        process = run_archiver("crawl", "--url", f"http://127.0.0.1:{port}/", "--output",
                               str(tmp_path), *FAST, "-s", "RETRY_TIMES=0")
    assert process.returncode == 1
    summary = process.stdout
    assert "failed (no response at all)" in summary
    assert re.search(r"first errors: +\d+ x .*Connection refused", summary), summary
    causes = summary.split("first errors:", 1)[1].splitlines()
    assert all("Connection refused" in line for line in causes), "each group names its cause"
    assert len((process.stdout + process.stderr).splitlines()) < 30, process.stdout


@pytest.mark.parametrize("setting, expected", [
    ("ARCHIVER_WARC_MAX_SIZE=lots", "expected a whole number"),
    ("DOWNLOAD_DELAY=slow", "expected a number"),
    ("ARCHIVER_REVISIT_AFTER=soon", "expected 0, a duration"),
    ("ARCHIVER_WARC_MAXSIZE=10", "did you mean ARCHIVER_WARC_MAX_SIZE?"),
    ("ARCHIVER_PROGRESS=loud", "expected one of off, auto"),
    ("TELNETCONSOLE_ENABLED=maybe", "expected True or False"),
])
def test_a_bad_setting_is_one_line_exit_2_and_nothing_written(tmp_path: Path, setting, expected):
    output = tmp_path / "out"
    process = run_archiver("crawl", "--url", "http://127.0.0.1:9/", "--output", str(output),
                           "-s", setting)
    assert process.returncode == 2
    assert process.stderr.count("\n") == 1 and expected in process.stderr, process.stderr
    assert process.stdout == "" and not output.exists()


def test_scrapy_settings_are_checked_as_scrapy_reads_them():
    from archiver.setting_types import setting_problems

    # TELNETCONSOLE_ENABLED defaults to the int 1 but is read with getbool
    good = {"TELNETCONSOLE_ENABLED": "False", "DOWNLOAD_DELAY": "0.25", "RETRY_TIMES": "0",
            "CLOSESPIDER_PAGECOUNT": "10", "AUTOTHROTTLE_ENABLED": "false"}
    assert setting_problems(good, {}) == []
    assert setting_problems({"RETRY_TIMES": "many"}, {}) == [
        "RETRY_TIMES='many': expected a number"]


def test_bad_paths_are_one_line_without_traceback(tmp_path: Path):
    a_file = tmp_path / "a-file"
    a_file.write_text("not a directory")
    warc = tmp_path / "x.warc.gz"
    cases = [
        (["crawl", "--url", "http://127.0.0.1:9/", "--output", str(a_file)], 2),
        (["crawl", "--url", "http://127.0.0.1:9/", "--output", "/proc/no/such"], 2),
        # /proc takes no new file, even from root (whom its permission bits let in)
        (["crawl", "--url", "http://127.0.0.1:9/", "--output", "/proc"], 2),
        (["report", str(tmp_path), "-o", "/proc/report.html"], 2),
        (["report", str(tmp_path), "-o", str(a_file / "report.html")], 2),
        (["report", str(a_file), "-o", str(tmp_path / "r.html")], 2),
        (["detect", str(tmp_path / "missing.html")], 2),
        (["runs", "--output", str(tmp_path)], 1),
    ]
    import gzip

    warc.write_bytes(gzip.compress(b"WARC/1.1\r\nWARC-Type: warcinfo\r\n\r\n"))
    cases.append((["detect", str(warc)], 2))
    for verb, name in (("wacz", "x.wacz"), ("index", "x.cdxj"), ("reextract", "x.jsonl")):
        cases.append(([verb, str(warc), "-o", str(a_file / name)], 2))  # before any work
    for args, code in cases:
        process = run_archiver(*args)
        assert process.returncode == code, (args, process.stderr)
        assert process.stderr.count("\n") == 1, (args, process.stderr)
        assert "Traceback" not in process.stderr
    assert not (a_file / "report.html").exists()


def test_verbs_that_take_warcs_name_the_kind_they_got_instead(tmp_path: Path):
    items = tmp_path / "crawl-1.jsonl"
    items.write_text('{"url": "http://127.0.0.1/a"}\n')
    page = tmp_path / "page.html"
    page.write_text("<!DOCTYPE html><html><body>A page</body></html>")
    for args, said in [
        (["index", str(items), "-o", str(tmp_path / "i.cdxj")], "this is an items file"),
        (["check", str(items)], "this is an items file"),
        (["wacz", str(page), "-o", str(tmp_path / "x.wacz")], "this is a saved page"),
        (["reextract", str(items), "-o", str(tmp_path / "r.jsonl")], "this is an items file"),
    ]:
        process = run_archiver(*args)
        assert process.returncode == 2, (args, process.stderr)
        assert process.stderr.count("\n") == 1 and said in process.stderr, process.stderr
        assert "Traceback" not in process.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["crawl-1.jsonl", "page.html"]


def test_detect_on_empty_input_and_a_warc_says_what_it_got(tmp_path: Path):
    empty = subprocess.run([sys.executable, "-m", "archiver", "detect", "-"], input="",
                           capture_output=True, text=True, timeout=60)
    assert empty.returncode == 2 and "standard input: empty" in empty.stderr
    assert "no paywall" not in empty.stdout


def test_ctrl_c_in_a_verb_is_one_line_and_exit_130():
    detect = subprocess.Popen([sys.executable, "-m", "archiver", "detect", "-"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    wchan = Path(f"/proc/{detect.pid}/wchan")
    deadline = time.monotonic() + 60
    while "pipe_read" not in wchan.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)  # until it waits for its input, past Python's start-up
    detect.send_signal(signal.SIGINT)
    stdout, stderr = detect.communicate(timeout=30)
    assert detect.returncode == 130
    assert stderr == b"archiver detect: interrupted\n" and stdout == b""


def test_the_demo_ends_with_next_commands_that_work(tmp_path: Path):
    output = tmp_path / "demo"
    demo = run_archiver("demo", "--output", str(output))
    assert demo.returncode == 0, demo.stderr[-2000:]
    printed = demo.stdout.split("next, try:\n", 1)[1].split("\n")
    commands = [line.strip() for line in printed if line.startswith("  archiver ")]
    assert commands == next_commands(output)
    for command in commands:
        verb, *args = command.split()[1:]
        if verb == "replay":
            continue  # serves until stopped: tests/toolkit/test_replay.py runs it
        process = run_archiver(verb, *args)
        assert process.returncode == 0, (command, process.stderr[-1000:])
    assert (output / "report.html").is_file() and (output / "demo.wacz").is_file()


def test_replay_refuses_a_busy_port_before_printing_a_url(tmp_path: Path):
    output = tmp_path / "demo"
    assert run_archiver("demo", "--output", str(output)).returncode == 0
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        process = run_archiver("replay", str(output), "--port", str(port))
    assert process.returncode == 2
    assert f"127.0.0.1:{port} is in use" in process.stderr
    assert "http://" not in process.stdout


def read_until(process: subprocess.Popen[bytes], marker: bytes, timeout: float) -> bytes:
    """What ``process`` printed until ``marker`` (or until it exited, or ``timeout``)."""
    assert process.stdout is not None
    output = b""
    deadline = time.monotonic() + timeout
    while marker not in output and time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.5)
        if ready:
            chunk = os.read(process.stdout.fileno(), 65536)
            if not chunk:
                break
            output += chunk
    return output


def children(pid: int) -> set[int]:
    return {int(child) for task in Path(f"/proc/{pid}/task").iterdir()
            for child in (task / "children").read_text().split()}


def test_ctrl_c_stops_replay_and_its_wayback_cleanly(tmp_path: Path):
    pywb_or_skip()
    output = tmp_path / "demo"
    assert run_archiver("demo", "--output", str(output)).returncode == 0

    def start(port: int) -> tuple[subprocess.Popen[bytes], bytes] | None:
        # its own process group, as a shell's foreground job: Ctrl-C goes to the group
        replay = subprocess.Popen([sys.executable, "-m", "archiver", "replay", str(output),
                                   "--port", str(port)], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                  process_group=0)
        printed = read_until(replay, b"press Ctrl-C to stop", timeout=120)
        if b"press Ctrl-C to stop" in printed:
            return replay, printed
        replay.kill()
        replay.communicate(timeout=30)
        return None

    port, (replay, printed) = start_on_free_port(start)
    wayback = children(replay.pid)
    assert wayback, "replay runs wayback as its child"
    assert f"replaying at http://127.0.0.1:{port}/crawl/".encode() in printed
    os.killpg(replay.pid, signal.SIGINT)
    rest, stderr = replay.communicate(timeout=60)
    assert replay.returncode == 0, stderr.decode()
    assert b"Traceback" not in stderr and stderr.strip() == b"", stderr.decode()
    assert rest.strip() == b"stopped"
    for pid in wayback:
        assert not Path(f"/proc/{pid}").exists(), f"wayback (pid {pid}) still running"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))  # the port is free again


def test_the_report_shows_long_run_labels_and_site_names_whole():
    from archiver.toolkit.report import ReportArticle, ReportData, Run, render_report

    run_ids = ["weekly-crawl-of-the-regional-press-of-north-rhine-westphalia-2026-12-01",
               "weekly-crawl-of-the-regional-press-of-north-rhine-westphalia-2026-12-08"]
    site = "www.a-very-long-regional-newspaper-host-name.example.org"
    walled = {"detected": True, "kind": "hard", "signals": []}
    articles = [ReportArticle(f"http://{host}/story", "Story", run, when, verdict)
                for host in (site, "short.example")
                for run, when, verdict in ((run_ids[0], "2026-12-01T08:00:00Z", None),
                                           (run_ids[1], "2026-12-08T08:00:00Z", walled))]
    runs = [Run(run_ids[0], "2026-12-01T08:00:00Z"), Run(run_ids[1], "2026-12-08T08:00:00Z")]
    html = render_report(ReportData(articles, runs, "test"), "Report")
    chart = html[html.index("run by run</h2>"):]
    chart = chart[:chart.index("</svg>")]
    for run_id in run_ids:
        assert f"<td>{run_id}</td>" in html, "the run table names each run whole"
        assert f", {run_id}: " in chart, "each point's tooltip names its run whole"
    axis = re.findall(r'text-anchor="middle" font-family="sans-serif" font-size="12">([^<]*)<',
                      chart)
    assert axis == ["1", "2"], "the axis numbers the runs, as the table's # column does"
    assert f"<td>{site}</td>" in html and f"</i>{site}</span>" in html, "site names whole"
    assert "<tspan" not in html and "…" not in html
