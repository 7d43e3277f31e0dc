"""The crawling process does not import what only the analysis workers run.

JSON-LD reading (extruct) and the paywall rules are used where pages are
analysed: in the worker processes the analysis pool spawns, which import them
themselves. Imported by the crawling process they cost about 0.3 s of CPU at
the start of every crawl, a recrawl of unchanged pages included (issue 12).
"""

from __future__ import annotations

import json
import subprocess
import sys

ANALYSIS_ONLY = ("extruct", "archiver.paywall.detector")

LOAD_THE_CRAWL = f"""
import json, sys
from scrapy.settings import Settings
from scrapy.utils.misc import load_object
from archiver.addon import Archiver
import spiders.news, spiders.site
settings = Settings()
settings.set("ARCHIVER_OUTPUT_DIR", "unused")
Archiver().update_settings(settings)
for name in ("DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "EXTENSIONS", "ITEM_PIPELINES"):
    for path in settings.getdict(name):
        load_object(path)
load_object(settings["ARCHIVER_CAPTURE_INDEX"])
print(json.dumps([name for name in {list(ANALYSIS_ONLY)!r} if name in sys.modules]))
"""


def test_the_crawl_s_components_leave_analysis_to_the_workers():
    done = subprocess.run([sys.executable, "-c", LOAD_THE_CRAWL], capture_output=True,
                          text=True, timeout=120, check=True)
    assert json.loads(done.stdout.splitlines()[-1]) == []


def test_detection_is_still_there_when_asked_for():
    from archiver.paywall import detect_paywall
    from archiver.paywall.detector import detect_paywall as direct

    assert detect_paywall is direct
