"""Scrapy settings of the project (``scrapy.cfg`` points here).

Only politeness and project wiring live here; every ``ARCHIVER_*`` default is
in :mod:`archiver.addon` and documented in the README's settings table.
"""

BOT_NAME = "news-archiver"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

ADDONS = {"archiver.addon.Archiver": 0}

ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5

# Scrapy 2.19's RemoteControl extension opens a localhost port with a bearer
# token; an unattended archiving crawl has no use for it.
REMOTE_CONTROL_ENABLED = False

FEED_EXPORT_ENCODING = "utf-8"
TELNETCONSOLE_ENABLED = False
