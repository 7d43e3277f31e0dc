"""Running one crawl in this process, the way ``scrapy crawl`` would.

The CLI verbs build Scrapy settings from their arguments (output directory,
crawl id, the JSON Lines feed, ``-s NAME=VALUE`` overrides) and run a spider
with :class:`scrapy.crawler.CrawlerProcess`; the result says what was written
and whether the crawl should count as failed for a scheduler.

A run holds the output directory's lock (:mod:`archiver.run.lock`) and
keeps Scrapy's ``JOBDIR`` in ``DIR/job/``: a run stopped by SIGINT/SIGTERM is
resumed, under the same crawl id, by the next run; a finished run's job state
is removed so that the next run is a fresh, incremental one; the job state of
a run killed by SIGKILL cannot be trusted (Scrapy writes it only on a clean
stop) and is discarded: that run's pages are fetched again, conditionally.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Imported here, early, rather than by the engine's first download handler: Scrapy's
# create_deprecated_class, run three times as this module loads, calls
# inspect.stack(), whose cost grows with the frames above it and the modules loaded
# (0.18 s of CPU from the engine, 44 frames deep, 1,279 modules; 0.09 s from here).
# `archiver crawl` imports it first of all its imports (archiver.commands.crawl.run):
# 73-98 ms of inspect.stack() from here, 42-64 ms from there (3 runs each, load 3-5).
import scrapy.core.downloader.contextfactory  # noqa: F401
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings

from archiver.addon import DEFAULTS, default_crawl_id
from archiver.console.errors import UsageError, usable_directory
from archiver.layout import OutputLayout
from archiver.run.lock import RunLock, RunLocked
from archiver.run.outcome import GOOD_FINISH_REASONS, ExitCode, outcome
from archiver.setting_types import PREFIX, setting_problems

SETTINGS_MODULE = "archiver.settings"
JOB_STATE = "archiver-job.json"

logger = logging.getLogger(__name__)


@dataclass
class CrawlResult:
    crawl_id: str
    layout: OutputLayout
    stats: dict[str, Any] = field(default_factory=dict)
    refusal: str | None = None
    log_path: Path | None = None
    """Scrapy's full log of the run (``LOG_FILE``)."""

    @property
    def exit_code(self) -> ExitCode:
        return RunLocked.exit_code if self.refusal else outcome(self.stats).exit_code

    @property
    def items_path(self) -> Path:
        return self.layout.items_path(self.crawl_id)

    @property
    def warc_files(self) -> list[Path]:
        return self.layout.warc_files()

    @property
    def finish_reason(self) -> str:
        return str(self.stats.get("finish_reason", "not started"))

    @property
    def ok(self) -> bool:
        return self.finish_reason in GOOD_FINISH_REASONS


def parse_overrides(pairs: list[str]) -> dict[str, str]:
    overrides = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"-s {pair!r}: expected NAME=VALUE, e.g. -s DOWNLOAD_DELAY=2")
        overrides[name.strip()] = value
    return overrides


def crawl_settings(
    output_dir: Path,
    crawl_id: str,
    max_pages: int | None = None,
    overrides: dict[str, str] | None = None,
) -> Settings:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", SETTINGS_MODULE)
    settings = get_project_settings()
    settings.set("ARCHIVER_OUTPUT_DIR", str(output_dir), priority="cmdline")
    settings.set("ARCHIVER_CRAWL_ID", crawl_id, priority="cmdline")
    items_path = OutputLayout.of(output_dir).items_path(crawl_id)
    settings.set(
        "FEEDS", {str(items_path): {"format": "jsonlines", "encoding": "utf-8"}}, "cmdline"
    )
    if max_pages:
        settings.set("CLOSESPIDER_PAGECOUNT", max_pages, priority="cmdline")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def check_settings(settings: Settings, overrides: dict[str, str]) -> None:
    """Every ``-s`` value and project ``ARCHIVER_*`` setting usable, or one UsageError
    line for each that is not: before anything is written or fetched."""
    values = {name: settings[name] for name in settings.attributes if name.startswith(PREFIX)}
    problems = setting_problems(values | overrides, DEFAULTS)
    if problems:
        raise UsageError("\n".join(problems))


def resume_or_reset_job(jobdir: Path, crawl_id: str) -> str:
    """The crawl id to run under: a paused run's, else ``crawl_id`` with a clean JOBDIR."""
    state_path = jobdir / JOB_STATE
    try:
        state = json.loads(state_path.read_text())
    except (OSError, ValueError):
        state = None
    if state and state.get("state") == "paused":
        logger.warning("resuming paused crawl %s from %s", state["crawl_id"], jobdir)
        crawl_id = state["crawl_id"]
    elif jobdir.exists():
        if state:
            logger.warning("crawl %s was killed; its job state in %s is discarded and its "
                           "pages will be fetched again", state.get("crawl_id"), jobdir)
        shutil.rmtree(jobdir)
    jobdir.mkdir(parents=True, exist_ok=True)
    state_path.write_text(json.dumps({"crawl_id": crawl_id, "state": "running"}))
    return crawl_id


def settle_job(jobdir: Path, crawl_id: str, stats: dict[str, Any]) -> None:
    """Keep a paused run's JOBDIR for the next run; remove a finished run's."""
    if outcome(stats).status == "paused":
        (jobdir / JOB_STATE).write_text(json.dumps({"crawl_id": crawl_id, "state": "paused"}))
    else:
        shutil.rmtree(jobdir, ignore_errors=True)


def run_crawl(
    spider: str,
    spider_args: dict[str, Any],
    output_dir: Path,
    crawl_id: str | None = None,
    max_pages: int | None = None,
    overrides: dict[str, str] | None = None,
) -> CrawlResult:
    """Run one crawl under the output directory's lock (refused: ``result.refusal``)."""
    overrides = dict(overrides or {})
    crawl_id = crawl_id or default_crawl_id()
    settings = crawl_settings(output_dir, crawl_id, max_pages, overrides)
    check_settings(settings, overrides)
    layout = OutputLayout.from_settings(settings)
    usable_directory(layout.output_dir)
    lock = RunLock(layout)
    try:
        lock.acquire(crawl_id)
    except RunLocked as refused:
        return CrawlResult(crawl_id, layout, refusal=str(refused))
    try:
        jobdir_setting = overrides.get("JOBDIR", str(layout.job_dir))
        jobdir = Path(jobdir_setting)
        if jobdir_setting:
            crawl_id = resume_or_reset_job(jobdir, crawl_id)
            overrides["JOBDIR"] = jobdir_setting
        # Scrapy's whole log goes to the run's log file (appended to by a resumed run);
        # the console shows a digest of it (archiver.console.log).
        overrides.setdefault("LOG_FILE", str(layout.log_path(crawl_id)))
        overrides.setdefault("LOG_FILE_APPEND", "True")
        log_path = Path(overrides["LOG_FILE"])
        log_path.parent.mkdir(parents=True, exist_ok=True)
        settings = crawl_settings(output_dir, crawl_id, max_pages, overrides)
        process = CrawlerProcess(settings)
        crawler = process.create_crawler(spider)
        process.crawl(crawler, **spider_args)
        process.start()
        stats = dict(crawler.stats.get_stats())
        if jobdir_setting:
            settle_job(jobdir, crawl_id, stats)
    finally:
        lock.release()
    return CrawlResult(crawl_id, layout, stats, log_path=log_path)
