"""Rotating WARC files: ``.open`` while written, renamed on close, warcinfo first."""

from __future__ import annotations

import gzip
import random
import zlib
from io import BytesIO
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders

from archiver.capture.records import builder
from archiver.capture.warcfile import RotatingWarcWriter, warc_filename
from tests.crawling import Record, deflate_block_type, read_records


def body_of(n: int, size: int = 4000) -> bytes:
    return random.Random(n).randbytes(size)


def resource(n: int, size: int = 4000):
    body = body_of(n, size)
    return builder.create_warc_record(f"http://127.0.0.1/{n}", "resource",
                                      payload=BytesIO(body), length=size,
                                      warc_content_type="application/octet-stream")


def info(name: str) -> dict[str, str]:
    return {"software": "test", "description": f"file {name}"}


def test_files_are_open_while_written_and_renamed_on_close(tmp_path: Path):
    writer = RotatingWarcWriter(tmp_path, "t", max_size=10**9, warcinfo=info, hostname="h")
    location = writer.write(resource(1))
    assert [p.name for p in tmp_path.iterdir()] == [location.filename + ".open"]
    record = Record.at(tmp_path / (location.filename + ".open"), location.offset)
    assert record.header("WARC-Record-ID") == location.record_id
    writer.close()
    assert [p.name for p in tmp_path.iterdir()] == [location.filename]


def test_rotation_by_size_starts_each_file_with_its_own_warcinfo(tmp_path: Path):
    writer = RotatingWarcWriter(tmp_path, "t", max_size=2000, warcinfo=info, hostname="h")
    locations = [writer.write(resource(n)) for n in range(5)]
    writer.close()
    files = sorted(tmp_path.glob("*.warc.gz"))
    assert len(files) >= 3
    assert [f.name.split("-")[2] for f in files] == [f"{n:05d}" for n in range(1, len(files) + 1)]
    for path in files:
        records = read_records(path)
        assert records[0].rec_type == "warcinfo"
        assert f"description: file {path.name}".encode() in records[0].block
        assert records[0].header("WARC-Filename") == path.name
        for record in records[1:]:
            assert record.header("WARC-Warcinfo-ID") == records[0].header("WARC-Record-ID")
    for n, location in enumerate(locations):
        record = Record.at(tmp_path / location.filename, location.offset)
        assert record.block == body_of(n)


def test_iipc_file_name():
    from datetime import UTC, datetime

    when = datetime(2026, 11, 25, 13, 5, 9, 123456, tzinfo=UTC)
    assert warc_filename("news", when, 7, "crawler1") == (
        "news-20261125130509123-00007-crawler1.warc.gz"
    )


def response(url: str, body: bytes, headers: list[tuple[str, str]]):
    http = StatusAndHeaders("200 OK", [*headers, ("Content-Length", str(len(body)))],
                            protocol="HTTP/1.1")
    return builder.create_warc_record(url, "response", payload=BytesIO(body),
                                      length=len(body), http_headers=http)


def test_compressed_payloads_are_stored_members_and_read_back_whole(tmp_path: Path):
    """A gzipped page or a JPEG is not deflated a second time (its member is stored);
    a plain page still is; every record reads back the same in warcio."""
    page = b"<html><body>" + b"<p>words of an article</p>" * 400 + b"</body></html>"
    records = {
        "gzipped": response("http://127.0.0.1/a", gzip.compress(page, mtime=0),
                            [("Content-Type", "text/html"), ("Content-Encoding", "gzip")]),
        "jpeg": response("http://127.0.0.1/i.jpg", body_of(7),
                         [("Content-Type", "image/jpeg; charset=binary")]),
        "plain": response("http://127.0.0.1/b", page, [("Content-Type", "text/html")]),
    }
    writer = RotatingWarcWriter(tmp_path, "t", max_size=10**9, warcinfo=info, hostname="h")
    locations = {name: writer.write(record) for name, record in records.items()}
    writer.close()
    path = tmp_path / locations["plain"].filename
    stored = {name: deflate_block_type(Record.at(path, location.offset)) == 0
              for name, location in locations.items()}
    assert stored == {"gzipped": True, "jpeg": True, "plain": False}
    with path.open("rb") as stream:
        bodies = {record.rec_headers.get_header("WARC-Target-URI"): record.raw_stream.read()
                  for record in ArchiveIterator(stream) if record.rec_type == "response"}
    assert bodies == {"http://127.0.0.1/a": gzip.compress(page, mtime=0),
                      "http://127.0.0.1/i.jpg": body_of(7), "http://127.0.0.1/b": page}


def test_a_member_deflates_to_the_bytes_of_a_full_window_in_any_chunks():
    """Each member's window is sized to its record, and its bytes are the ones zlib's
    full 32 KB window gives, written in one piece or many, on either side of the
    size a member holds back (a small record, a page)."""
    from archiver.capture.warcfile import GZIP_LEVEL, SMALL_MEMBER, _GzipMember, window_bits

    assert [window_bits(size) for size in (0, 250, 251, 1000, SMALL_MEMBER, 10**6)] == [
        9, 9, 10, 11, 15, 15]
    words = [random.Random(n).randbytes(3).hex().encode() for n in range(300)]
    chooser = random.Random(0)
    for size in (0, 1, 600, 5000, SMALL_MEMBER, SMALL_MEMBER + 1, 200_000):
        data = b" ".join(chooser.choice(words) for _ in range(size // 6 + 1))[:size]
        full = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        expected = full.compress(data) + full.flush()
        for chunk in (max(size, 1), 700, 4096):
            out = BytesIO()
            member = _GzipMember(out)
            for start in range(0, size, chunk):
                member.write(data[start:start + chunk])
            member.flush()
            assert out.getvalue() == expected, (size, chunk)
            assert gzip.decompress(out.getvalue()) == data
