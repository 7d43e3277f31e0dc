"""The crawling process does not import what it does not run.

JSON-LD reading (extruct) and the paywall rules are used where pages are
analysed: in the worker processes the analysis pool spawns, which import them
themselves. Scrapy's remote-control extension, off by default, would bring
aiohttp. Imported by the crawling process each costs about 0.3 s of CPU at the
start of every crawl, a recrawl of unchanged pages included (issue 12).
"""

from __future__ import annotations

import json
import subprocess
import sys

NOT_IMPORTED = ("extruct", "archiver.paywall.detector", "aiohttp", "trafilatura")

LOAD_THE_CRAWL = f"""
import json, sys
from scrapy.settings import Settings
from scrapy.utils.misc import load_object
from archiver.addon import Archiver
import spiders.news, spiders.site
settings = Settings()
settings.setmodule("archiver.settings", priority="project")
settings.set("ARCHIVER_OUTPUT_DIR", "unused")
Archiver().update_settings(settings)
for name in ("DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "EXTENSIONS", "ITEM_PIPELINES"):
    settings.get_component_priority_dict_with_base(name)  # imports each, as Scrapy does
load_object(settings["ARCHIVER_CAPTURE_INDEX"])
print(json.dumps([name for name in {list(NOT_IMPORTED)!r} if name in sys.modules]))
"""


def test_the_crawl_s_components_import_only_what_the_crawl_runs():
    done = subprocess.run([sys.executable, "-c", LOAD_THE_CRAWL], capture_output=True,
                          text=True, timeout=120, check=True)
    assert json.loads(done.stdout.splitlines()[-1]) == []


def test_detection_is_still_there_when_asked_for():
    from archiver.paywall import detect_paywall
    from archiver.paywall.detector import detect_paywall as direct

    assert detect_paywall is direct


def test_remote_control_is_still_there_when_asked_for():
    from scrapy.settings import Settings
    from scrapy.utils.conf import build_component_list

    from archiver.addon import REMOTE_CONTROL_EXTENSION, Archiver

    def extensions(enabled: bool) -> list[str]:
        settings = Settings({"ARCHIVER_OUTPUT_DIR": "unused", "REMOTE_CONTROL_ENABLED": enabled})
        Archiver().update_settings(settings)
        return build_component_list(settings.get_component_priority_dict_with_base("EXTENSIONS"))

    assert REMOTE_CONTROL_EXTENSION in extensions(True)
    assert REMOTE_CONTROL_EXTENSION not in extensions(False)


READ_JSON_LD = """
import json, sys
from archiver.page import CapturedPage
page = CapturedPage("https://x.org/a", b'<html><head><script type="application/ld+json">'
                    b'// a comment extruct tolerates\\n'
                    b'{"@type": "NewsArticle", "headline": "Storm"}'
                    b'</script></head><body><p>Storm.</p></body></html>')
objects = page.json_ld
loaded = sorted(name for name in ("mf2py", "bs4", "requests", "pyRdfa", "extruct")
                if name in sys.modules)
import extruct
print(json.dumps([objects, loaded, callable(extruct.extract)]))
"""


def test_json_ld_is_read_without_extruct_s_other_extractors():
    """extruct's JSON-LD reader (its lenient parsing included) without the package's
    ``__init__``, which imports every syntax's extractor (0.24 s of a worker's first
    page); an ``import extruct`` afterwards still gets the whole package."""
    done = subprocess.run([sys.executable, "-c", READ_JSON_LD], capture_output=True,
                          text=True, timeout=120, check=True)
    objects, loaded, whole = json.loads(done.stdout.splitlines()[-1])
    assert objects == [{"@type": "NewsArticle", "headline": "Storm"}]
    assert loaded == []
    assert whole is True
