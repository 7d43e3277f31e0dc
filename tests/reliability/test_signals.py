"""Signals to the whole process group, as a terminal's Ctrl-C and systemd send them.

A terminal delivers SIGINT, and ``systemctl stop`` (``KillMode=control-group``)
SIGTERM, to every process of the crawl: the crawling process and its analysis
workers alike. The crawl runs here in a session of its own and the signal goes
to that process group, mid-crawl, while article pages are still being fetched
and analysed; a resumed run must then leave every article an item, exactly once.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from archiver.demo.server import Route, RunningSite, serve
from archiver.run.outcome import ExitCode
from tests.catalog.site import article_page, listing, warcio_check
from tests.crawling import FAST, run_archiver, wait_for

ARTICLES = [f"/news/story{n}" for n in range(1, 41)]
GROUP = ["-s", "CONCURRENT_REQUESTS_PER_DOMAIN=4", "-s", "ARCHIVER_ANALYSIS_PROCESSES=2"]


def site_routes(article_delay: float) -> dict[str, Route]:
    table = {"/": Route(body=listing("Home", ARTICLES))}
    for n, path in enumerate(ARTICLES, 1):
        table[path] = Route(body=article_page(f"Signal test story {n}", 900 + n),
                            delay=article_delay)
    return table


def start_in_own_group(base_url: str, output: Path, log: Path, *extra: str
                       ) -> subprocess.Popen[bytes]:
    """The crawl as a terminal or a systemd unit starts it: leader of its own group."""
    with open(log, "wb") as stderr:
        return subprocess.Popen(
            [sys.executable, "-m", "archiver", "crawl", "--url", base_url + "/", "--output",
             str(output), *FAST, *GROUP, *extra],
            stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True,
        )


def stop_group(process: subprocess.Popen[bytes], log: Path) -> str:
    """Wait for the crawl to end (killing its group if it hangs); its log."""
    try:
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return log.read_text(errors="replace")


def interrupt_mid_crawl(site: RunningSite, output: Path, log: Path, crawl_id: str,
                        in_flight: int, send: Callable[[int], None]) -> tuple[int, str]:
    """Start the crawl in its own group, let ``in_flight`` articles be fetched, deliver
    the signals ``send(pid)`` sends, and wait for the crawl to end: its exit code and log."""
    process = start_in_own_group(site.base_url, output, log, "--crawl-id", crawl_id)
    try:
        wait_for(lambda: fetched_articles(site.log.paths()) >= in_flight, "articles in flight")
        send(process.pid)
    finally:
        err = stop_group(process, log)
    return process.returncode, err


def crawl_again_undelayed(site: RunningSite, output: Path) -> subprocess.CompletedProcess[str]:
    """The next run, as an operator starts it, with the articles now answered at once."""
    site.routes.update({path: Route(body=route.body) for path, route in
                        site.routes.items() if path in ARTICLES})
    return run_archiver("crawl", "--url", site.base_url + "/", "--output", str(output),
                        *FAST, *GROUP)


def fetched_articles(log_paths: list[str]) -> int:
    return len(set(log_paths) & set(ARTICLES))


def emitted(output: Path) -> list[str]:
    return [json.loads(line)["url"] for path in sorted(output.glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_to_the_group_pauses_and_the_resumed_run_makes_every_article_an_item(
    tmp_path: Path, signum: signal.Signals
):
    output = tmp_path / "out"
    with serve(site_routes(article_delay=0.3)) as site:
        code, first_err = interrupt_mid_crawl(site, output, tmp_path / "first.log", "grouped",
                                              8, lambda pid: os.killpg(pid, signum))
        assert code == ExitCode.PAUSED, first_err[-3000:]
        assert "BrokenProcessPool" not in first_err
        assert "Traceback" not in first_err, first_err[-3000:]
        paused_items = emitted(output)
        assert 0 < len(paused_items) < len(ARTICLES), "the signal came mid-crawl"
        resumed = crawl_again_undelayed(site, output)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "resuming paused crawl grouped" in resumed.stderr
    urls = emitted(output)
    assert sorted(urls) == sorted(site.base_url + path for path in ARTICLES), (
        "every article an item, exactly once"
    )


def test_a_second_ctrl_c_stops_at_once_and_the_next_run_recovers(tmp_path: Path):
    output = tmp_path / "out"
    log = tmp_path / "first.log"

    def ctrl_c_twice(pid: int) -> None:
        os.killpg(pid, signal.SIGINT)
        wait_for(lambda: "shutting down gracefully" in log.read_text(errors="replace"),
                 "the graceful stop to begin")
        os.killpg(pid, signal.SIGINT)

    with serve(site_routes(article_delay=2)) as site:
        _, first_err = interrupt_mid_crawl(site, output, log, "forced", 4, ctrl_c_twice)
        assert "forcing unclean shutdown" in first_err, first_err[-3000:]
        recovered = crawl_again_undelayed(site, output)
    assert recovered.returncode == 0, recovered.stderr[-3000:]
    assert not list((output / "warc").glob("*.open")), "the forced stop's file was closed"
    files = [str(path) for path in sorted((output / "warc").glob("*.warc.gz"))]
    checked = warcio_check(files)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert set(emitted(output)) == {site.base_url + path for path in ARTICLES}
