"""The crawl runs with start-up's objects frozen and rarer collections, then puts
Python's collector back as it found it (archiver.run.collector)."""

from __future__ import annotations

import gc

from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from archiver.addon import COLLECTOR_EXTENSION, Archiver
from archiver.run.collector import CRAWL_THRESHOLDS, CollectorTuning


def test_the_collector_is_tuned_while_the_engine_runs_and_restored_after():
    before = gc.get_threshold()
    tuning = CollectorTuning.from_crawler(get_crawler())
    try:
        tuning.engine_started()
        assert gc.get_threshold() == CRAWL_THRESHOLDS
        assert gc.get_freeze_count() > 10_000
    finally:
        tuning.engine_stopped()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_the_add_on_enables_it():
    settings = Settings({"ARCHIVER_OUTPUT_DIR": "unused"})
    Archiver().update_settings(settings)
    assert settings.getdict("EXTENSIONS")[COLLECTOR_EXTENSION] == 0
