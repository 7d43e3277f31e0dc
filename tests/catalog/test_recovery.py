"""Mending a killed run's ``.open`` file, and forgetting catalog rows and items
that point at bytes no longer on disk."""

from __future__ import annotations

import json
from io import BytesIO
from pathlib import Path

import pytest

from archiver.capture.link import RecordLink
from archiver.capture.records import builder, new_record_id
from archiver.capture.warcfile import RotatingWarcWriter, mend_open_file
from archiver.catalog.store import CatalogStore
from archiver.layout import default_catalog_url
from archiver.run.recovery import recover, repair_items
from tests.catalog.site import warcio_check
from tests.crawling import read_records


def info(name: str) -> dict[str, str]:
    return {"software": "test"}


def resource(n: int, size: int = 3000):
    return builder.create_warc_record(f"http://127.0.0.1/{n}", "resource",
                                      payload=BytesIO(bytes([n % 256]) * size), length=size,
                                      warc_content_type="application/octet-stream")


def response(record_id: str, request_id: str):
    http = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
    record = builder.create_warc_record("http://127.0.0.1/r", "response", payload=BytesIO(http),
                                        length=len(http),
                                        warc_headers_dict={"WARC-Record-ID": record_id,
                                                           "WARC-Concurrent-To": request_id})
    return record


def left_open(tmp_path: Path, count: int, *extra) -> tuple[RotatingWarcWriter, Path, list]:
    writer = RotatingWarcWriter(tmp_path, "k", max_size=10**9, warcinfo=info, hostname="h")
    locations = [writer.write(resource(n)) for n in range(count)]
    for record in extra:
        writer.write(record)
    open_path = tmp_path / (writer.current_filename + ".open")
    return writer, open_path, locations


def killed(tmp_path: Path, count: int, *extra) -> tuple[Path, list]:
    """An ``.open`` file as a killed process leaves it: its descriptor (and lock) gone."""
    writer, open_path, locations = left_open(tmp_path, count, *extra)
    writer._file.close()
    return open_path, locations


def test_a_torn_last_record_is_cut_and_the_file_closed(tmp_path: Path):
    open_path, locations = killed(tmp_path, 3)
    whole = open_path.read_bytes()
    open_path.write_bytes(whole + whole[locations[1].offset:][: locations[1].length // 2])
    mended = mend_open_file(open_path)
    assert mended is not None and not open_path.exists()
    assert mended.path.name == open_path.name.removesuffix(".open")
    assert mended.path.read_bytes() == whole
    assert (mended.records, mended.dropped_bytes) == (4, locations[1].length // 2)
    assert warcio_check([str(mended.path)]).returncode == 0


def test_a_response_whose_request_never_reached_the_disk_is_dropped(tmp_path: Path):
    open_path, locations = killed(tmp_path, 1, response(new_record_id(), new_record_id()))
    intact = locations[0].offset + locations[0].length
    mended = mend_open_file(open_path)
    assert mended is not None and mended.path.stat().st_size == intact
    assert [r.rec_type for r in read_records(mended.path)] == ["warcinfo", "resource"]


def test_a_file_a_live_writer_holds_is_left_alone(tmp_path: Path):
    writer, open_path, _ = left_open(tmp_path, 2)
    before = open_path.read_bytes()
    with pytest.raises(BlockingIOError):
        mend_open_file(open_path)
    assert open_path.read_bytes() == before
    writer.close()


def test_a_file_without_a_whole_record_is_removed(tmp_path: Path):
    open_path, _ = killed(tmp_path, 1)
    open_path.write_bytes(open_path.read_bytes()[:40])  # inside the warcinfo record
    assert mend_open_file(open_path) is None
    assert list(tmp_path.iterdir()) == []


def test_recovery_drops_rows_and_items_past_the_end_and_marks_the_run(tmp_path: Path):
    warc_dir = tmp_path / "warc"
    open_path, locations = killed(warc_dir, 3)
    data = open_path.read_bytes()
    open_path.write_bytes(data[: locations[2].offset + 10])  # the last record torn
    store = CatalogStore(default_catalog_url(tmp_path))
    store.start_crawl("killed", "site", {})
    for n, location in enumerate(locations):
        store.add_capture(RecordLink(location=location, url=f"http://127.0.0.1/{n}", status=200,
                                  payload_digest=f"sha1:{n}",
                                  fetched_at="2026-11-25T10:00:00.000000Z", crawl_id="killed"))
    items = [{"url": f"http://127.0.0.1/{n}", "warc_filename": loc.filename,
              "warc_offset": loc.offset, "warc_length": loc.length} for n, loc in
             enumerate(locations)]
    items_path = tmp_path / "killed.jsonl"
    lines = [json.dumps(item) for item in items]
    items_path.write_text(lines[0] + "\n" + lines[1] + "\n" + lines[2][:15])

    recovery = recover(store, warc_dir, tmp_path)

    assert recovery.interrupted == ["killed"] and len(recovery.mended) == 1
    assert recovery.rows_dropped == 1 and recovery.items_dropped == 1
    assert [c.url for c in store.captures()] == ["http://127.0.0.1/0", "http://127.0.0.1/1"]
    assert items_path.read_text().splitlines() == lines[:2]
    assert store.crawls()[0].status == "interrupted"
    store.close()


def test_items_pointing_past_the_end_of_a_file_are_dropped(tmp_path: Path):
    (tmp_path / "a.warc.gz").write_bytes(b"\0" * 100)
    items = tmp_path / "c.jsonl"
    good = {"warc_filename": "a.warc.gz", "warc_offset": 0, "warc_length": 100}
    bad = {"warc_filename": "a.warc.gz", "warc_offset": 50, "warc_length": 100}
    items.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n")
    assert repair_items(items, tmp_path) == 1
    assert [json.loads(line) for line in items.read_text().splitlines()] == [good]
