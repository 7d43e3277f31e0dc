"""A recrawl by another worker: the earlier WARCs are in S3 only, the catalog is shared.

Worker A crawls a site whose pages carry validators, uploads its WARCs to the
S3 server (moto, on loopback) and keeps none. Worker B, with another output
directory and the same PostgreSQL catalog, crawls the site again: its
requests are conditional, the site answers 304, and B reads each earlier
record back from S3 (one ranged GET) to emit the article again, its item
pointing at B's own revisit record, which refers to A's response record.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text

from archiver.capture.link import PROFILE_NOT_MODIFIED
from archiver.demo.server import serve
from tests.catalog.site import article_page, listing, validated, warcio_check
from tests.crawling import crawl, read_records
from tests.scaleout.services import BUCKET, CREDENTIALS, s3

ARTICLES = [f"/news/story-{n}" for n in range(6)]


def routes() -> dict:
    pages = {"/": validated(listing("Home", ARTICLES), "home")}
    for n, path in enumerate(ARTICLES):
        pages[path] = validated(article_page(f"Story {n}", 300 + n), f"story-{n}")
    pages["/news/story-2"].gzip = True  # the stored, still-encoded body is handed on
    return pages


def crawl_stats(postgres_url: str, crawl_id: str) -> dict:
    engine = create_engine(postgres_url)
    with engine.connect() as db:
        stats = db.execute(text("SELECT stats FROM crawls WHERE id = :id"),
                           {"id": crawl_id}).scalar_one()
    engine.dispose()
    return stats


def test_a_worker_answers_a_304_from_a_record_another_worker_uploaded(
        s3_endpoint: str, bucket: str, postgres_url: str, tmp_path: Path):
    shared = [*CREDENTIALS, "-s", f"AWS_ENDPOINT_URL={s3_endpoint}",
              "-s", f"ARCHIVER_CATALOG_URL={postgres_url}"]
    with serve(routes()) as site:
        first = crawl(site.base_url + "/", tmp_path / "a", *shared, "--crawl-id", "remote-a",
                      "-s", f"ARCHIVER_WARC_UPLOAD_URL=s3://{BUCKET}/remote-a/")
        assert first.process.returncode == 0, first.process.stderr[-3000:]
        assert first.warc_files == [], "worker A kept no WARC: they are in S3 only"
        before = len(site.log.entries)
        second = crawl(site.base_url + "/", tmp_path / "b", *shared, "--crawl-id", "remote-b")
        sent = {path: headers for _, path, headers in site.log.entries[before:]}
    assert second.process.returncode == 0, second.process.stderr[-3000:]
    for path in ["/", *ARTICLES]:
        assert sent[path].get("If-None-Match") == routes()[path].etag.decode(), path

    client = s3(s3_endpoint)
    listing_ = client.list_objects_v2(Bucket=BUCKET, Prefix="remote-a/")["Contents"]
    uploaded = [r for item in listing_ for r in read_records_of(client, item["Key"], tmp_path)]
    originals = {r.target.removeprefix(site.base_url): r for r in uploaded
                 if r.rec_type == "response"}
    revisits = {r.target.removeprefix(site.base_url): r for r in second.records()
                if r.rec_type == "revisit"}
    for path in ["/", *ARTICLES]:
        revisit, original = revisits[path], originals[path]
        assert revisit.header("WARC-Profile") == PROFILE_NOT_MODIFIED, path
        assert revisit.header("WARC-Refers-To") == original.header("WARC-Record-ID"), path
        assert revisit.header("WARC-Refers-To-Date") == original.header("WARC-Date"), path

    before_items = {i["url"].removeprefix(site.base_url): i for i in first.items()}
    after_items = {i["url"].removeprefix(site.base_url): i for i in second.items()}
    assert set(after_items) == set(ARTICLES), "every article emitted again by worker B"
    for path in ARTICLES:
        item = after_items[path]
        assert item["warc_record_id"] == revisits[path].header("WARC-Record-ID"), path
        assert item["warc_filename"] == revisits[path].path.name, path
        assert item["text"] and item["text"] == before_items[path]["text"], path

    stats = crawl_stats(postgres_url, "remote-b")
    assert stats["archiver/recrawl/remote_original"] == len(ARTICLES) + 1, "read from S3"
    assert "archiver/recrawl/unreadable_original" not in stats
    check = warcio_check([str(p) for p in second.warc_files])
    assert check.returncode == 0, check.stdout + check.stderr


def read_records_of(client, key: str, directory: Path) -> list:
    copy = directory / "objects" / Path(key).name
    copy.parent.mkdir(exist_ok=True)
    client.download_file(BUCKET, key, str(copy))
    return read_records(copy)
