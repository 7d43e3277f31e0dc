"""Rotated WARC files go to an S3-compatible server (moto's, on loopback), verified.

A crawl with ``ARCHIVER_WARC_UPLOAD_URL`` keeps no WARC locally once each is
stored and verified; the objects are the WARCs (``warcio check`` passes on
them), the items and the catalog say where each file now lives. With the
server unreachable the files stay, and the next run uploads them first.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from archiver.demo.server import serve
from archiver.storage.s3 import S3Location
from archiver.storage.upload import UploadError, transfer_config, upload_verified
from tests.catalog.site import catalog_rows, warcio_check
from tests.crawling import CrawlOutput, crawl
from tests.ports import candidate_port
from tests.scaleout.services import BUCKET, CREDENTIALS, s3
from tests.scaleout.site import news_routes

# ~40 kB per file: a few dozen article pages rotate through several WARCs.
SMALL_FILES = ["-s", "ARCHIVER_WARC_MAX_SIZE=40000"]
PART_SIZE = 10000


def upload_crawl(url: str, output: Path, endpoint: str, prefix: str, *extra: str
                 ) -> CrawlOutput:
    return crawl(url, output, *CREDENTIALS, *SMALL_FILES,
                 "-s", f"AWS_ENDPOINT_URL={endpoint}",
                 "-s", f"ARCHIVER_WARC_UPLOAD_URL=s3://{BUCKET}/{prefix}/", *extra)


def stored(endpoint: str, prefix: str) -> dict[str, bytes]:
    client = s3(endpoint)
    listing = client.list_objects_v2(Bucket=BUCKET, Prefix=prefix + "/").get("Contents", [])
    return {item["Key"]: client.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
            for item in listing}


def test_rotated_warcs_are_uploaded_verified_and_removed_and_read_back(
        s3_endpoint: str, bucket: str, tmp_path: Path):
    with serve(news_routes(sections=2, per_section=6)) as site:
        # Rotated files (~40 kB) past the multipart threshold go as multipart uploads.
        run = upload_crawl(site.base_url + "/", tmp_path / "out", s3_endpoint, "run-a",
                           "-s", f"ARCHIVER_WARC_UPLOAD_PART_SIZE={PART_SIZE}")
    assert run.process.returncode == 0, run.process.stderr[-3000:]
    assert run.warc_files == [], "every closed WARC was removed after its upload"
    assert not list((tmp_path / "out" / "warc").glob("*.open"))

    objects = stored(s3_endpoint, "run-a")
    assert len(objects) >= 3, "several rotated files"
    copies = tmp_path / "copies"
    copies.mkdir()
    for key, body in objects.items():
        (copies / Path(key).name).write_bytes(body)
    check = warcio_check([str(p) for p in sorted(copies.iterdir())])
    assert check.returncode == 0, check.stdout + check.stderr

    client = s3(s3_endpoint)
    for key, body in objects.items():
        checksum = client.get_object(Bucket=BUCKET, Key=key,
                                     ChecksumMode="ENABLED")["ChecksumSHA256"]
        multipart = len(body) >= PART_SIZE
        assert checksum.endswith("-1") == multipart, f"{key}: multipart iff {PART_SIZE} B+"
    assert any(len(body) >= PART_SIZE for body in objects.values())
    (stats,) = [json.loads(raw) for (raw,) in catalog_rows(tmp_path / "out",
                                                          "SELECT stats FROM crawls")]
    assert stats["archiver/upload/files"] == len(objects)
    assert "archiver/upload/read_back" not in stats, "verified by the stored checksum"

    rows = catalog_rows(tmp_path / "out", "SELECT filename, location, size, sha256 "
                        "FROM warc_files")
    assert {location for _, location, _, _ in rows} == {f"s3://{BUCKET}/{k}" for k in objects}
    for filename, _, size, sha256 in rows:
        body = objects[f"run-a/{filename}"]
        assert (size, sha256) == (len(body), hashlib.sha256(body).hexdigest())
    captured = {name for (name,) in catalog_rows(tmp_path / "out",
                                                 "SELECT DISTINCT warc_filename FROM captures")}
    assert captured <= {filename for filename, *_ in rows}

    items = run.items()
    assert items and all(item["warc_location"] == f"s3://{BUCKET}/run-a/"
                         f"{item['warc_filename']}" for item in items)

    # The toolkit reads the WARCs where they now live.
    keys = sorted(objects)
    environment = {**os.environ, "AWS_ENDPOINT_URL": s3_endpoint, "AWS_ACCESS_KEY_ID": "test",
                   "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1"}

    def archiver(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "archiver", *args], capture_output=True,
                              text=True, timeout=180, env=environment)

    index = archiver("index", f"s3://{BUCKET}/run-a/")
    assert index.returncode == 0, index.stderr[-3000:]
    indexed = {json.loads(line.split(" ", 2)[2])["filename"] for line in index.stdout.splitlines()}
    assert indexed == {Path(key).name for key in keys}
    assert any(f"{site.base_url}/news/2026/11/story-1-5" in line
               for line in index.stdout.splitlines())

    package = tmp_path / "run.wacz"
    wacz = archiver("wacz", f"s3://{BUCKET}/{keys[0]}", "-o", str(package))
    assert wacz.returncode == 0, wacz.stderr[-3000:]
    with zipfile.ZipFile(package) as archive:
        assert f"archive/{Path(keys[0]).name}" in archive.namelist()


def test_a_failed_upload_keeps_the_file_and_the_next_run_uploads_it(
        s3_endpoint: str, bucket: str, tmp_path: Path):
    down = f"http://127.0.0.1:{candidate_port()}"  # nothing listens there: the server is down
    output = tmp_path / "out"
    with serve(news_routes(sections=1, per_section=4)) as site:
        failed = upload_crawl(site.base_url + "/", output, down, "run-b",
                              "-s", "ARCHIVER_WARC_UPLOAD_ATTEMPTS=1", "--crawl-id", "b1")
        assert failed.process.returncode == 0, failed.process.stderr[-3000:]
        kept = {path.name: path.read_bytes() for path in failed.warc_files}
        assert kept, "the WARCs whose upload failed are still here"
        assert "upload to s3://" in failed.process.stderr
        assert stored(s3_endpoint, "run-b") == {}

        again = upload_crawl(site.base_url + "/", output, s3_endpoint, "run-b",
                             "--crawl-id", "b2")
    assert again.process.returncode == 0, again.process.stderr[-3000:]
    assert again.warc_files == []
    objects = stored(s3_endpoint, "run-b")
    for name, body in kept.items():
        assert objects[f"run-b/{name}"] == body, f"{name} uploaded byte for byte by run b2"
    assert any(name.startswith("b2-") for name in map(lambda k: Path(k).name, objects))


def test_a_multipart_upload_is_verified_by_its_composite_checksum(
        s3_endpoint: str, bucket: str, tmp_path: Path):
    path = tmp_path / "big.warc.gz"
    path.write_bytes(os.urandom(11 * 1024**2))  # three parts of S3's minimum, 5 MiB
    client = s3(s3_endpoint)
    target = S3Location(BUCKET, "multipart/big.warc.gz")
    uploaded = upload_verified(client, path, target, transfer_config(1))
    stored = client.get_object(Bucket=BUCKET, Key=target.key, ChecksumMode="ENABLED")
    assert stored["ChecksumSHA256"].endswith("-3"), "three parts"
    assert uploaded.verified_by == "checksum"
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    assert (uploaded.size, uploaded.sha256) == (11 * 1024**2, sha256)
    assert stored["Metadata"]["sha256"] == sha256
    assert stored["Body"].read() == path.read_bytes()


class Corrupting:
    """An S3 client whose uploads store other bytes than the file's (one flipped)."""

    def __init__(self, client, directory: Path) -> None:
        self.client, self.directory = client, directory

    def upload_file(self, filename: str, *args, **kwargs) -> None:
        damaged = bytearray(Path(filename).read_bytes())
        damaged[len(damaged) // 2] ^= 0xFF
        copy = self.directory / "damaged"
        copy.write_bytes(damaged)
        self.client.upload_file(str(copy), *args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self.client, name)


@pytest.mark.parametrize("part_size", [1, 64 * 1024**2], ids=["multipart", "one PUT"])
def test_a_stored_object_unlike_the_file_fails_the_upload(
        s3_endpoint: str, bucket: str, tmp_path: Path, part_size: int):
    path = tmp_path / "file.warc.gz"
    path.write_bytes(os.urandom(6 * 1024**2))
    client = Corrupting(s3(s3_endpoint), tmp_path)
    with pytest.raises(UploadError, match="digest differs"):
        upload_verified(client, path, S3Location(BUCKET, "damaged/file.warc.gz"),
                        transfer_config(part_size))
