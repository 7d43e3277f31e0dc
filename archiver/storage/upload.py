"""Closed WARC files go to ``ARCHIVER_WARC_UPLOAD_URL`` (``s3://bucket/prefix/``).

The capture middleware sends :data:`archiver.signals.warc_file_closed` when it
renames a finished ``.open`` file; this extension uploads the file in a thread
(off the reactor), checks that the stored object has the file's size and MD5
(its single-part ETag; any other ETag: the object is read back and its
SHA-256 compared), records where the file now lives in the catalog, and only
then removes the local copy. botocore retries a failing upload
(``ARCHIVER_WARC_UPLOAD_ATTEMPTS``); a file whose upload still fails stays in
the WARC directory, counted and logged, and the next run uploads every closed
WARC it finds there before it crawls. A WARC is stored with one PUT, so files
must stay under S3's 5 GiB limit for a single PUT (``ARCHIVER_WARC_MAX_SIZE``
defaults to 1 GiB).
"""

from __future__ import annotations

import base64
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet.defer import Deferred, DeferredList, DeferredSemaphore
from twisted.internet.threads import deferToThread

from archiver.catalog.extension import catalog_store
from archiver.layout import OutputLayout
from archiver.signals import warc_file_closed
from archiver.storage.s3 import S3Location
from archiver.storage.s3 import client as s3_client

logger = logging.getLogger(__name__)

UPLOAD_SETTING = "ARCHIVER_WARC_UPLOAD_URL"
CHUNK = 1024 * 1024
WARC_CONTENT_TYPE = "application/warc"
CLOSED_WARCS = ("*.warc.gz", "*.warc")


class UploadError(RuntimeError):
    """The stored object is not the file that was sent."""


@dataclass(frozen=True)
class StoredFile:
    """A WARC file where it finally lives, with what was verified about it."""

    filename: str
    location: str
    size: int
    sha256: str


def file_digests(path: Path) -> tuple[int, Any, Any]:
    """Size, MD5 and SHA-256 of a file, read once."""
    md5, sha256, size = hashlib.md5(usedforsecurity=False), hashlib.sha256(), 0
    with open(path, "rb") as stream:
        while chunk := stream.read(CHUNK):
            md5.update(chunk)
            sha256.update(chunk)
            size += len(chunk)
    return size, md5, sha256


def stored_sha256(client: Any, target: S3Location) -> str:
    body = client.get_object(Bucket=target.bucket, Key=target.key)["Body"]
    digest = hashlib.sha256()
    for chunk in body.iter_chunks(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def upload_verified(client: Any, path: Path, target: S3Location) -> StoredFile:
    """PUT ``path`` to ``target`` and verify the stored object (raises on a mismatch)."""
    size, md5, sha256 = file_digests(path)
    with open(path, "rb") as body:
        client.put_object(
            Bucket=target.bucket, Key=target.key, Body=body, ContentLength=size,
            ContentMD5=base64.b64encode(md5.digest()).decode(),
            ContentType=WARC_CONTENT_TYPE, Metadata={"sha256": sha256.hexdigest()},
        )
    head = client.head_object(Bucket=target.bucket, Key=target.key)
    if head["ContentLength"] != size:
        raise UploadError(f"{target.url}: {head['ContentLength']} bytes stored, {size} sent")
    if head["ETag"].strip('"') != md5.hexdigest() and (
        stored_sha256(client, target) != sha256.hexdigest()
    ):
        raise UploadError(f"{target.url}: the stored object's digest differs from {path}'s")
    return StoredFile(path.name, target.url, size, sha256.hexdigest())


class WarcUploader:
    """Scrapy extension: upload, verify, record, remove; never lose a file."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.get(UPLOAD_SETTING):
            raise NotConfigured(f"{UPLOAD_SETTING} is not set")
        self.crawler = crawler
        self.stats = crawler.stats
        self.destination = S3Location.parse(settings[UPLOAD_SETTING])
        self.directory = OutputLayout.from_settings(settings).warc_dir
        self.client = s3_client(settings, settings.getint("ARCHIVER_WARC_UPLOAD_ATTEMPTS"))
        self.pending: list[Deferred[None]] = []
        self.one_at_a_time = DeferredSemaphore(1)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.file_closed, signal=warc_file_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcUploader:
        return cls(crawler)

    def target(self, filename: str) -> S3Location:
        return self.destination.child(filename)

    def spider_opened(self, spider: Spider) -> None:
        """Upload what earlier runs left (failed uploads, files mended by recovery).

        ``spider_closed`` is connected here, after the capture middleware's own
        handler, which closes the last file: by the time this extension's
        handler runs, that file's upload is queued.
        """
        self.crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        leftovers = sorted(p for pattern in CLOSED_WARCS for p in self.directory.glob(pattern))
        for path in leftovers:
            self.stats.inc_value("archiver/upload/leftovers")
            self.file_closed(path)

    def file_closed(self, path: Path) -> None:
        """Queue one upload; uploads run one at a time, each in a thread."""
        upload = self.one_at_a_time.run(deferToThread, upload_verified, self.client, path,
                                        self.target(path.name))
        upload.addCallback(self._uploaded)
        upload.addErrback(self._failed, path)
        self.pending.append(upload)

    def _uploaded(self, stored: StoredFile) -> None:
        self.record(stored)
        (self.directory / stored.filename).unlink(missing_ok=True)
        self.stats.inc_value("archiver/upload/files")
        self.stats.inc_value("archiver/upload/bytes", stored.size)
        logger.info("uploaded %s to %s (%d bytes, verified)", stored.filename, stored.location,
                    stored.size)

    def record(self, stored: StoredFile) -> None:
        store = catalog_store(self.crawler)
        if store is not None:
            store.record_warc_file(stored.filename, stored.location, stored.size, stored.sha256)

    def _failed(self, failure: Any, path: Path) -> None:
        self.stats.inc_value("archiver/upload/failed")
        logger.warning("%s: upload to %s failed (%s); the file stays here and the next run "
                       "uploads it", path, self.target(path.name).url,
                       failure.getErrorMessage())

    def spider_closed(self, spider: Spider) -> Deferred[Any]:
        return DeferredList(self.pending)


class WarcLocationPipeline:
    """Items name where their WARC file will live once uploaded (``warc_location``)."""

    def __init__(self, crawler: Crawler) -> None:
        upload_url = crawler.settings.get(UPLOAD_SETTING)
        if not upload_url:
            raise NotConfigured(f"{UPLOAD_SETTING} is not set")
        self.destination = S3Location.parse(upload_url)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcLocationPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        if adapter.get("warc_filename"):
            adapter["warc_location"] = self.destination.child(adapter["warc_filename"]).url
        return item
