"""The Scrapy add-on that turns any Scrapy project into an archiving crawl.

``ADDONS = {"archiver.addon.Archiver": 0}`` installs the WARC capture middleware
and the item pipelines and fills in every ``ARCHIVER_*`` default, so components
can read their settings without repeating defaults.
"""

from __future__ import annotations

from datetime import UTC, datetime

import scrapy.downloadermiddlewares.cookies
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings
from tldextract import TLDExtract

from archiver import __version__
from archiver.capture.bounded import DEFAULT_DECODED_MAXSIZE
from archiver.frontier.settings import install as install_frontier
from archiver.pathsafety import check_settings
from archiver.setting_types import Setting, default_of, integer, number, optional, setting_problems

CAPTURE_MIDDLEWARE = "archiver.capture.middleware.WarcCaptureMiddleware"
CAPTURE_PRIORITY = 950

# The one table of ARCHIVER_* settings: a plain default also gives the type (see
# archiver.setting_types); a Setting(default, check) where the default cannot say it.
DEFAULTS: dict[str, object] = {
    "ARCHIVER_OUTPUT_DIR": "output",
    "ARCHIVER_WARC_ENABLED": True,
    "ARCHIVER_WARC_DIR": None,
    "ARCHIVER_WARC_PREFIX": None,
    "ARCHIVER_WARC_MAX_SIZE": Setting(1024**3, integer(minimum=1)),
    "ARCHIVER_WARC_KEEP_CREDENTIALS": False,
    "ARCHIVER_CRAWL_ID": None,
    "ARCHIVER_OPERATOR": "",
    "ARCHIVER_CONTACT_URL": "https://github.com/news-archiver/news-archiver",
    "ARCHIVER_SITES_DIR": "",
    "ARCHIVER_CATALOG_ENABLED": True,
    "ARCHIVER_CATALOG_URL": None,
    "ARCHIVER_REVISIT_AFTER": Setting("0", "archiver.capture.recrawl.parse_revisit_after"),
    "ARCHIVER_DEDUP_ENABLED": True,
    "ARCHIVER_DEDUP_MIN_SIZE": Setting(1024, integer(minimum=0)),
    "ARCHIVER_ANALYSIS_PROCESSES": Setting(None, optional(integer(minimum=0))),
    "ARCHIVER_CAPTURE_INDEX": None,
    "ARCHIVER_ACCEPT_ENCODING": "gzip, deflate",
    "ARCHIVER_FRONTIER": None,
    "ARCHIVER_FRONTIER_IDLE_CLOSE": 30.0,
    "ARCHIVER_FRONTIER_POLITENESS": True,
    "ARCHIVER_WARC_UPLOAD_URL": None,
    "ARCHIVER_WARC_UPLOAD_ATTEMPTS": 5,
    "ARCHIVER_WARC_UPLOAD_PART_SIZE": Setting(64 * 1024**2, integer(minimum=1)),
    # rendered capture (archiver/render/)
    "ARCHIVER_RENDER": False,
    "ARCHIVER_RENDER_CHROMIUM": "",
    "ARCHIVER_RENDER_CONCURRENCY": 4,
    "ARCHIVER_RENDER_SETTLE": 0.25,
    "ARCHIVER_RENDER_TIMEOUT": 30.0,
    "ARCHIVER_RENDER_CONSENT": "reject",
    "ARCHIVER_RENDER_CACHE_BYTES": 64 * 1024**2,
    "ARCHIVER_RENDER_SCREENSHOT_HEIGHT": 10000,
    # subscriber crawls (archiver/access/)
    "ARCHIVER_COOKIES_FILE": "",
    "ARCHIVER_EXPECT_ACCESS": "",
    "ARCHIVER_EXPECT_ACCESS_AFTER": 3,
    "ARCHIVER_ANALYSIS": "on",
    "ARCHIVER_REANALYSE": False,
    "ARCHIVER_DECODED_MAXSIZE": DEFAULT_DECODED_MAXSIZE,
    "ARCHIVER_BODY_TIMEOUT": 120.0,
    "ARCHIVER_ALLOW_PRIVATE_ADDRESSES": False,
    "ARCHIVER_LOOPBACK_ONLY": False,
    # the console of `archiver crawl` (archiver/console/progress.py)
    "ARCHIVER_PROGRESS": Setting("off", "archiver.console.progress.progress_mode"),
    "ARCHIVER_PROGRESS_INTERVAL": Setting(30.0, number(minimum=0.1)),
}

PROGRESS_EXTENSION = "archiver.console.progress.CrawlProgress"
MEMORY_INDEX = "archiver.capture.revisits.MemoryIndex"
CATALOG_INDEX = "archiver.catalog.index.CatalogIndex"

CATALOG_EXTENSION = "archiver.catalog.extension.CatalogExtension"
ANALYSIS_POOL_EXTENSION = "archiver.analysispool.AnalysisPool"
UPLOAD_EXTENSION = "archiver.storage.upload.WarcUploader"
RENDER_EXTENSION = "archiver.render.extension.Renderer"
REMOTE_CONTROL_EXTENSION = "scrapy.extensions.remote_control.RemoteControl"
COLLECTOR_EXTENSION = "archiver.run.collector.CollectorTuning"
ANALYSIS_QUEUE_BYTES = 16 * 1024**2
RECRAWL_MIDDLEWARE = "archiver.capture.recrawl.RecrawlMiddleware"
RECRAWL_PRIORITY = 940
ACCESS_MIDDLEWARE = "archiver.access.expectation.AccessExpectation"
ACCESS_PRIORITY = 60  # before every other middleware: a stopped site's requests go nowhere
NETPOLICY_MIDDLEWARE = "archiver.netpolicy.AddressPolicyMiddleware"
NETPOLICY_PRIORITY = 40  # before robots.txt (100) fetches anything from the host
LIMITS_MIDDLEWARES = {
    # above the capture middleware: its responses are already cut to their limits
    "archiver.capture.limits.BodyLimitMiddleware": 960,
    # below it: a cut body is archived, then retried
    "archiver.capture.limits.RetryCutBodyMiddleware": 945,
    # Scrapy's decompression, bounded and counted, in its place
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "archiver.capture.limits.BoundedHttpCompression": 590,
}
REPLAY_MIDDLEWARES = {
    # Scrapy's meta refresh, reading the page's head only, in its place
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "archiver.capture.metarefresh.HeadMetaRefresh": 580,
}

PIPELINES = {
    "archiver.pipelines.CaptureLinkPipeline": 100,
    "archiver.storage.upload.WarcLocationPipeline": 150,
    "archiver.pipelines.PaywallRecordPipeline": 200,
    "archiver.catalog.pipeline.CatalogPipeline": 300,
}


def default_crawl_id() -> str:
    return "crawl-" + datetime.now(UTC).strftime("%Y%m%d%H%M%S")


def use_bundled_public_suffix_list() -> None:
    """Stop Scrapy's cookie middleware from downloading the Public Suffix List.

    Its module-level ``TLDExtract`` fetches the list from the internet on the
    first ``Set-Cookie``: traffic the operator never asked for, which fails
    (with a traceback) on offline or firewalled crawl hosts. The snapshot that
    ships with tldextract is current to its release, which is enough to scope
    cookies. Scrapy has no setting for this, hence the replacement.
    """
    scrapy.downloadermiddlewares.cookies._split_domain = TLDExtract(
        suffix_list_urls=(), include_psl_private_domains=True
    )


def ask_for_readable_encodings(settings: BaseSettings) -> None:
    """Send ``Accept-Encoding: ARCHIVER_ACCEPT_ENCODING`` unless the project sets its own.

    Scrapy asks for every coding it can decode, ``br`` and ``zstd`` too when brotli
    and zstd are installed (they come with Scrapy), but warcio 1.8.1 fails on ``br``
    (an AttributeError with brotli 1.2) and has no ``zstd``: ``warcio check`` and every
    tool decoding bodies through warcio fail on such records. The archive must open in
    them, so by default we ask only for ``gzip, deflate``. ``DefaultHeadersMiddleware``
    sets the header before ``HttpCompressionMiddleware`` would, which then leaves it alone.
    """
    headers = dict(settings.getdict("DEFAULT_REQUEST_HEADERS"))
    if any(name.lower() == "accept-encoding" for name in headers):
        return
    headers["Accept-Encoding"] = settings["ARCHIVER_ACCEPT_ENCODING"]
    priority = max(settings.getpriority("DEFAULT_REQUEST_HEADERS") or 0,
                   SETTINGS_PRIORITIES["addon"])
    settings.set("DEFAULT_REQUEST_HEADERS", headers, priority=priority)


class Archiver:
    """Scrapy add-on: capture middleware, pipelines and ``ARCHIVER_*`` defaults."""

    def update_settings(self, settings: BaseSettings) -> None:
        use_bundled_public_suffix_list()
        problems = setting_problems(
            {name: settings[name] for name in settings.attributes if name.startswith("ARCHIVER_")},
            DEFAULTS,
        )
        if problems:
            raise ValueError("; ".join(problems))
        for name, value in DEFAULTS.items():
            settings.setdefault(name, default_of(value), priority="addon")
        if not settings.get("ARCHIVER_CAPTURE_INDEX"):
            catalog = settings.getbool("ARCHIVER_CATALOG_ENABLED")
            index = CATALOG_INDEX if catalog else MEMORY_INDEX
            settings.set("ARCHIVER_CAPTURE_INDEX", index, priority="addon")
        ask_for_readable_encodings(settings)
        if not settings.get("ARCHIVER_CRAWL_ID"):
            settings.set("ARCHIVER_CRAWL_ID", default_crawl_id(), priority="addon")
        check_settings(settings)
        settings["DOWNLOADER_MIDDLEWARES"].setdefault(CAPTURE_MIDDLEWARE, CAPTURE_PRIORITY)
        settings["DOWNLOADER_MIDDLEWARES"].setdefault(RECRAWL_MIDDLEWARE, RECRAWL_PRIORITY)
        settings["DOWNLOADER_MIDDLEWARES"].setdefault(ACCESS_MIDDLEWARE, ACCESS_PRIORITY)
        settings["DOWNLOADER_MIDDLEWARES"].setdefault(NETPOLICY_MIDDLEWARE, NETPOLICY_PRIORITY)
        for middleware, priority in {**LIMITS_MIDDLEWARES, **REPLAY_MIDDLEWARES}.items():
            settings["DOWNLOADER_MIDDLEWARES"].setdefault(middleware, priority)
        settings["EXTENSIONS"].setdefault(CATALOG_EXTENSION, 0)
        settings["EXTENSIONS"].setdefault(ANALYSIS_POOL_EXTENSION, 0)
        settings["EXTENSIONS"].setdefault(UPLOAD_EXTENSION, 0)
        settings["EXTENSIONS"].setdefault(RENDER_EXTENSION, 0)
        settings["EXTENSIONS"].setdefault(PROGRESS_EXTENSION, 0)
        settings["EXTENSIONS"].setdefault(COLLECTOR_EXTENSION, 0)
        if not settings.getbool("REMOTE_CONTROL_ENABLED"):
            # Scrapy imports every extension named in EXTENSIONS(_BASE), even one set
            # to None or off, and this one imports aiohttp: about 0.3 s of CPU at
            # every start, an eighth of a short recrawl's.
            settings["EXTENSIONS_BASE"].pop(REMOTE_CONTROL_EXTENSION, None)
        for pipeline, order in PIPELINES.items():
            settings["ITEM_PIPELINES"].setdefault(pipeline, order)
        install_frontier(settings)
        if settings.getpriority("SCRAPER_SLOT_MAX_ACTIVE_SIZE") == SETTINGS_PRIORITIES["default"]:
            # Responses waiting for analysis count against this bound, and past it
            # Scrapy stops downloading: Scrapy's 5 MB is 20 real article pages, so a
            # burst of slow pages would stall the crawl. 16 MB lets it keep fetching
            # and archiving while the analysis workers catch up, in bounded memory:
            # Scrapy counts body bytes, a queued page costs several times that in
            # Python, and at 64 MB a 10k-page crawl peaked at 2.28x the RSS of a
            # 1k-page one (1.19x at 16 MB, at the same pages/s).
            settings.set("SCRAPER_SLOT_MAX_ACTIVE_SIZE", ANALYSIS_QUEUE_BYTES, "addon")
        if settings.getpriority("USER_AGENT") == SETTINGS_PRIORITIES["default"]:
            contact = settings["ARCHIVER_CONTACT_URL"]
            settings.set("USER_AGENT", f"news-archiver/{__version__} (+{contact})", "addon")
