"""Closed WARC files go to ``ARCHIVER_WARC_UPLOAD_URL`` (``s3://bucket/prefix/``).

The capture middleware sends :data:`archiver.signals.warc_file_closed` when it
renames a finished ``.open`` file; this extension uploads the file in a thread
(off the reactor) with boto3's managed transfer (one PUT under
``ARCHIVER_WARC_UPLOAD_PART_SIZE``, a multipart upload of parts that size over
it, so files past S3's 5 GiB single-PUT limit go too), records where the file
now lives in the catalog, and only then removes the local copy. botocore
retries a failing request (``ARCHIVER_WARC_UPLOAD_ATTEMPTS``); a file whose
upload still fails stays in the WARC directory, counted and logged, and the
next run uploads every closed WARC it finds there before it crawls.

The stored object is verified by its size and by the SHA-256 checksum S3
computes and keeps itself (``ChecksumAlgorithm=SHA256``): the file's SHA-256
for one PUT, for a multipart upload the SHA-256 of its parts' SHA-256 digests
("composite", ``...-N``), which is computed here from the same parts. Not the
ETag: a multipart ETag is an MD5 of MD5s whose form S3 does not document, and
under SSE-KMS no MD5 at all. Not our own digest in the object's metadata alone:
that is what we sent, which the server never checks. The file's own SHA-256
still goes into the metadata (``x-amz-meta-sha256``), for readers of a
multipart object. A server that keeps no checksum (an older S3-compatible one)
or reports another: the object is read back and its SHA-256 compared.
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
CHECKSUM_ALGORITHM = "SHA256"


class UploadError(RuntimeError):
    """The stored object is not the file that was sent."""


@dataclass(frozen=True)
class StoredFile:
    """A WARC file where it finally lives, with what was verified about it."""

    filename: str
    location: str
    size: int
    sha256: str
    verified_by: str
    """``checksum`` (the one S3 keeps) or ``read back`` (the object downloaded again)."""


def transfer_config(part_size: int) -> Any:
    """One PUT up to ``part_size`` bytes, parts of ``part_size`` over it."""
    from boto3.s3.transfer import TransferConfig

    return TransferConfig(multipart_threshold=part_size, multipart_chunksize=part_size)


def part_size_of(config: Any, size: int) -> int | None:
    """The part size s3transfer uses for a file of ``size`` bytes; ``None``: one PUT.

    s3transfer raises a part size to S3's 5 MiB minimum and doubles it past
    10,000 parts (its ``ChunksizeAdjuster``, asked here, not copied).
    """
    from s3transfer.utils import ChunksizeAdjuster

    if size < config.multipart_threshold:
        return None
    return ChunksizeAdjuster().adjust_chunksize(config.multipart_chunksize, size)


def file_digests(path: Path, part_size: int | None) -> tuple[int, str, str]:
    """Size, SHA-256 (hex) and the checksum S3 keeps (base64, ``-N`` when multipart),
    from one read of the file."""
    whole, parts, size = hashlib.sha256(), [], 0
    part, in_part = hashlib.sha256(), 0
    with open(path, "rb") as stream:
        while chunk := stream.read(min(CHUNK, part_size or CHUNK)):
            whole.update(chunk)
            size += len(chunk)
            if part_size is None:
                continue
            while chunk:
                taken = chunk[: part_size - in_part]
                part.update(taken)
                in_part += len(taken)
                chunk = chunk[len(taken):]
                if in_part == part_size:
                    parts.append(part.digest())
                    part, in_part = hashlib.sha256(), 0
    if part_size is None:
        return size, whole.hexdigest(), base64.b64encode(whole.digest()).decode()
    if in_part or not parts:
        parts.append(part.digest())
    composite = base64.b64encode(hashlib.sha256(b"".join(parts)).digest()).decode()
    return size, whole.hexdigest(), f"{composite}-{len(parts)}"


def stored_sha256(client: Any, target: S3Location) -> str:
    body = client.get_object(Bucket=target.bucket, Key=target.key)["Body"]
    digest = hashlib.sha256()
    for chunk in body.iter_chunks(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def same_checksum(stored: str | None, expected: str) -> bool:
    """Does the server's checksum match? S3 suffixes a composite one with ``-N`` (its part
    count); some servers (moto) leave the suffix off their HEAD answer."""
    if stored is None:
        return False
    digest, _, parts = stored.partition("-")
    expected_digest, _, expected_parts = expected.partition("-")
    return digest == expected_digest and parts in ("", expected_parts)


def upload_verified(client: Any, path: Path, target: S3Location, config: Any) -> StoredFile:
    """Upload ``path`` to ``target`` and verify the stored object (raises on a mismatch)."""
    size, sha256, checksum = file_digests(path, part_size_of(config, path.stat().st_size))
    client.upload_file(
        str(path), target.bucket, target.key, Config=config,
        ExtraArgs={"ChecksumAlgorithm": CHECKSUM_ALGORITHM, "ContentType": WARC_CONTENT_TYPE,
                   "Metadata": {"sha256": sha256}},
    )
    head = client.head_object(Bucket=target.bucket, Key=target.key, ChecksumMode="ENABLED")
    if head["ContentLength"] != size:
        raise UploadError(f"{target.url}: {head['ContentLength']} bytes stored, {size} sent")
    if same_checksum(head.get("ChecksumSHA256"), checksum):
        return StoredFile(path.name, target.url, size, sha256, "checksum")
    if stored_sha256(client, target) != sha256:
        raise UploadError(f"{target.url}: the stored object's digest differs from {path}'s")
    return StoredFile(path.name, target.url, size, sha256, "read back")


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
        self.config = transfer_config(settings.getint("ARCHIVER_WARC_UPLOAD_PART_SIZE"))
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
                                        self.target(path.name), self.config)
        upload.addCallback(self._uploaded)
        upload.addErrback(self._failed, path)
        self.pending.append(upload)

    def _uploaded(self, stored: StoredFile) -> None:
        self.record(stored)
        (self.directory / stored.filename).unlink(missing_ok=True)
        self.stats.inc_value("archiver/upload/files")
        self.stats.inc_value("archiver/upload/bytes", stored.size)
        if stored.verified_by != "checksum":
            self.stats.inc_value("archiver/upload/read_back")
        logger.info("uploaded %s to %s (%d bytes, verified by %s)", stored.filename,
                    stored.location, stored.size, stored.verified_by)

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
