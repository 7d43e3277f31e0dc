"""Page analysis in worker processes gives the items analysis in threads gives."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

from archiver.analysisworker import in_worker
from archiver.demo.server import serve
from archiver.demo.site import demo_routes
from archiver.discovery.scope import SiteScope
from archiver.page import CapturedPage
from archiver.pageanalysis import Depth, analyse_page
from archiver.sites import SiteConfig
from tests.crawling import crawl

COMPARED = ("url", "final_url", "title", "published", "authors", "text", "paywall")
ARTICLE = (b'<html lang="en"><head><title>Storm</title><script type="application/ld+json">'
           b'{"@type": "NewsArticle", "headline": "Storm"}</script></head><body><article>'
           + b"<p>The harbour storm broke the pier and the boats in the night.</p>" * 20
           + b"</article></body></html>")


def test_worker_processes_and_threads_agree(tmp_path: Path):
    results = {}
    with serve(demo_routes()) as site:
        for processes in ("0", "2"):
            result = crawl(site.base_url + "/", tmp_path / processes,
                           "-s", f"ARCHIVER_ANALYSIS_PROCESSES={processes}",
                           "-v")  # -v: Scrapy's "Enabled extensions" list on the console
            assert result.process.returncode == 0, result.process.stderr[-3000:]
            results[processes] = sorted(
                tuple(str(item[key]) for key in COMPARED) for item in result.items()
            )
    assert len(results["0"]) == 4
    assert results["0"] == results["2"]
    assert "AnalysisPool" in result.process.stderr, "the pool must be the one enabled"


def test_a_worker_freezes_what_its_first_task_loaded():
    """After its first page a worker's long-lived objects are out of the cyclic
    GC's reach, and tasks still return their results."""
    script = ("import gc; from archiver.analysisworker import in_worker\n"
              "before = gc.get_freeze_count()\n"
              "assert in_worker(len, 'page') == 4\n"
              "print(before, gc.get_freeze_count())")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    before, after = map(int, done.stdout.split())
    assert before == 0 and after > 10_000


def test_a_worker_imports_neither_scrapy_nor_twisted():
    """A worker imports what its tasks need before its first page; Scrapy (which
    imports Twisted) is not among it: it was 0.3 s of each worker's start-up."""
    page = CapturedPage("https://x.org/news/a-story-about-the-harbour-storm", ARTICLE)
    scope = SiteScope(SiteConfig(name="x", home=["https://x.org/"]))
    task = pickle.dumps((in_worker, analyse_page, page, scope.config.paywall_hints(),
                         scope.is_article, Depth.FULL))
    script = ("import pickle, sys\n"
              "function, *args = pickle.loads(sys.stdin.buffer.read())\n"
              "analysis = function(*args)\n"
              "assert analysis.article is not None and analysis.paywall is not None\n"
              "print(sorted({name.split('.')[0] for name in sys.modules}"
              " & {'scrapy', 'twisted'}))")
    done = subprocess.run([sys.executable, "-c", script], input=task, capture_output=True,
                          check=True)
    assert done.stdout.decode().strip() == "[]", done.stderr.decode()[-2000:]


def test_the_pool_starts_processes_only_for_a_first_page():
    """A crawl that sends no page to a worker (an unchanged recrawl reusing every stored
    analysis) starts no process; the first page starts the pool, which then analyses."""
    script = (
        "import multiprocessing.resource_tracker as tracker\n"
        "from scrapy.utils.test import get_crawler\n"
        "from twisted.internet import reactor\n"
        "from archiver.analysispool import AnalysisPool\n"
        "pool = AnalysisPool(get_crawler(settings_dict={'ARCHIVER_ANALYSIS_PROCESSES': 1}))\n"
        "print(tracker._resource_tracker._pid is None)\n"
        "results = []\n"
        "pool.run(len, 'page').addCallback(results.append).addBoth(lambda _: reactor.stop())\n"
        "reactor.run()\n"
        "pool.engine_stopped()\n"
        "print(results, tracker._resource_tracker._pid is not None)\n")
    assert run_python(script).split("\n")[:2] == ["True", "[4] True"]


def run_python(script: str) -> str:
    """What a new interpreter running ``script`` printed; it must exit 0."""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def process_gone(pid: int) -> bool:
    """Whether no process ``pid`` is left (exited and reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def worker_facts() -> tuple[int, bool]:
    """Run in a worker: its parent, and whether the analysers were loaded before its task."""
    return os.getppid(), "archiver.analysispreload" in sys.modules


def test_workers_are_forked_warm_and_their_fork_server_is_reaped():
    """Workers are forked by a server that imported and warmed the analysers first
    (once a crawl, not once a worker); stopping the pool stops that server and
    reaps it, so the crawl's own ``wait4()`` counts its and its workers' CPU."""
    script = (
        "import os\n"
        "from scrapy.utils.test import get_crawler\n"
        "from twisted.internet import reactor\n"
        "from archiver.analysispool import AnalysisPool\n"
        "from tests.test_analysis_pool import process_gone, worker_facts\n"
        "pool = AnalysisPool(get_crawler(settings_dict={'ARCHIVER_ANALYSIS_PROCESSES': 1}))\n"
        "results = []\n"
        "pool.run(worker_facts).addCallback(results.append).addBoth(lambda _: reactor.stop())\n"
        "reactor.run()\n"
        "pool.engine_stopped()\n"
        "[(server, preloaded)] = results\n"
        "print(server != os.getpid(), preloaded, process_gone(server))\n")
    assert run_python(script).split() == ["True", "True", "True"]


def test_a_pool_stopping_leaves_another_pool_s_fork_server_running():
    """Two pools in one process share its fork server: the first to stop leaves it
    to the other, which still analyses; the last one stops and reaps it."""
    script = (
        "from scrapy.utils.test import get_crawler\n"
        "from twisted.internet import reactor\n"
        "from twisted.internet.defer import inlineCallbacks\n"
        "from archiver.analysispool import AnalysisPool\n"
        "from tests.test_analysis_pool import process_gone, worker_facts\n"
        "def pool():\n"
        "    return AnalysisPool(get_crawler(settings_dict={'ARCHIVER_ANALYSIS_PROCESSES': 1}))\n"
        "first, second, results = pool(), pool(), []\n"
        "@inlineCallbacks\n"
        "def run():\n"
        "    try:\n"
        "        results.append((yield first.run(worker_facts))[0])\n"
        "        results.append((yield second.run(worker_facts))[0])\n"
        "        first.engine_stopped()\n"
        "        results.append((yield second.run(worker_facts))[0])\n"
        "        second.engine_stopped()\n"
        "    finally:\n"
        "        reactor.stop()\n"
        "reactor.callWhenRunning(run)\n"
        "reactor.run()\n"
        "print(len(set(results)), len(results), process_gone(results[0]))\n")
    assert run_python(script).split() == ["1", "3", "True"]
