"""``archiver check``: errors for what breaks replay or integrity, warnings for what WARC
allows but we would not write; every line names the file and the offset."""

from __future__ import annotations

import gzip
import subprocess
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.crawling import run_archiver
from tests.toolkit.conftest import SiteCrawl

PAGE = b"<html><head><title>t</title></head><body><p>Text.</p></body></html>"


def check(*paths: Path) -> subprocess.CompletedProcess[str]:
    return run_archiver("check", *map(str, paths))


def assert_readable(process: subprocess.CompletedProcess[str]) -> None:
    """One line per problem, printable text only, no traceback."""
    output = process.stdout + process.stderr
    assert "Traceback" not in output
    assert all(c.isprintable() for line in output.splitlines() for c in line), output


def _response(writer: WARCWriter, url: str, body: bytes,
              headers: list[tuple[str, str]] | None = None):
    return writer.create_warc_record(
        url, "response", payload=BytesIO(body),
        http_headers=StatusAndHeaders("200 OK", headers or [("Content-Type", "text/html")],
                                      protocol="HTTP/1.1"))


def write_warc(path: Path, version: str = "WARC/1.1", warcinfo: bool = True,
               extra: list | None = None) -> list[int]:
    """A small valid WARC; returns the offset of each record."""
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=path.name.endswith(".gz"), warc_version=version)
        records = [writer.create_warcinfo_record(path.name, {"software": "t"})] if warcinfo \
            else []
        records += [_response(writer, f"http://news.example/{n}", PAGE) for n in range(3)]
        records += [build(writer) for build in extra or []]
        offsets = []
        for record in records:
            offsets.append(stream.tell())
            writer.write_record(record)
    return offsets


def test_our_crawl_passes_without_a_warning(site_crawl: SiteCrawl):
    process = check(site_crawl.directory)
    assert process.returncode == 0, process.stdout
    lines = process.stdout.splitlines()
    assert lines and all(line.endswith(": ok") for line in lines), lines
    assert len(lines) == len(site_crawl.output.warc_files)


def test_what_warc_allows_but_we_do_not_write_is_a_warning(tmp_path: Path):
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(PAGE), PAGE)
    dns = lambda w: w.create_warc_record(  # noqa: E731
        "dns:news.example", "response",
        payload=BytesIO(b"20261120 news.example. 60 IN A 1.2.3.4\n"),
        warc_content_type="text/dns")
    stored_chunked = lambda w: _response(  # noqa: E731
        w, "http://news.example/chunked", chunked,
        [("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")])
    warc = tmp_path / "heritrix-like.warc.gz"
    offsets = write_warc(warc, "WARC/1.0", warcinfo=False, extra=[dns, stored_chunked])
    process = check(warc)
    assert_readable(process)
    assert process.returncode == 0, process.stdout
    warnings = [line for line in process.stdout.splitlines() if ": warning: " in line]
    expected = [
        (offsets[0], "WARC/1.0 record (we write WARC/1.1) (5 records, first here)"),
        (offsets[0], "first record is not warcinfo"),
        (offsets[3], "dns: record"),
        (offsets[4], "body stored chunked, with its Transfer-Encoding"),
    ]
    for offset, what in expected:
        prefix = f"{warc}: offset {offset}: warning: "
        assert [w for w in warnings if w.startswith(prefix) and what in w], (what, warnings)
    assert len(warnings) == len(expected)
    assert process.stdout.splitlines()[-1] == f"{warc}: ok (4 warnings)"


def test_broken_files_are_errors_naming_file_and_offset(tmp_path: Path):
    empty = tmp_path / "empty.warc.gz"
    empty.write_bytes(b"")
    text = tmp_path / "notes.warc"
    text.write_text("these are notes, not an archive\n" * 20)
    torn = tmp_path / "torn.warc.gz"
    torn_at = write_warc(torn)[3]
    torn.write_bytes(torn.read_bytes()[: torn_at + 40])
    corrupt = tmp_path / "corrupt.warc.gz"
    corrupt_at = write_warc(corrupt)[2]
    data = bytearray(corrupt.read_bytes())
    data[corrupt_at + 20 : corrupt_at + 60] = b"\xff" * 40
    corrupt.write_bytes(bytes(data))
    bad_digest = tmp_path / "bad-digest.warc"
    write_warc(bad_digest)
    bad_digest.write_bytes(bad_digest.read_bytes().replace(b"<p>Text.</p>", b"<p>Txet.</p>", 1))
    process = check(empty, text, torn, corrupt, bad_digest)
    assert_readable(process)
    assert process.returncode == 1
    errors = [line for line in process.stdout.splitlines() if ": error: " in line]
    assert f"{empty}: file: error: empty file" in errors
    assert [e for e in errors if e.startswith(f"{text}: file: error: not a WARC or ARC file")]
    assert [e for e in errors if e.startswith(f"{torn}: offset {torn_at}: error: torn")]
    assert [e for e in errors if e.startswith(f"{corrupt}: offset {corrupt_at}: error: "
                                              "unreadable record")]
    assert [e for e in errors if e.startswith(f"{bad_digest}: offset ") and "digest" in e]
    assert not [line for line in process.stdout.splitlines() if line.endswith(": ok")]


def test_the_records_after_a_corrupt_one_are_still_checked(tmp_path: Path):
    corrupt = tmp_path / "corrupt.warc.gz"
    offsets = write_warc(corrupt)
    data = bytearray(corrupt.read_bytes())
    data[offsets[1] + 20 : offsets[1] + 60] = b"\xff" * 40
    # a bad digest after the damage: found only if checking goes on
    tail = gzip.decompress(bytes(data[offsets[3]:])).replace(b"Text.", b"Txet.")
    corrupt.write_bytes(bytes(data[: offsets[3]]) + gzip.compress(tail))
    process = check(corrupt)
    assert_readable(process)
    errors = [line for line in process.stdout.splitlines() if ": error: " in line]
    assert [e for e in errors if f"offset {offsets[1]}: error: unreadable record" in e]
    assert [e for e in errors if f"offset {offsets[3]} " in e and "digest" in e], errors


def test_chunked_header_over_a_plain_body_is_an_error(tmp_path: Path):
    lying = lambda w: _response(  # noqa: E731
        w, "http://news.example/lying", PAGE,
        [("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")])
    warc = tmp_path / "lying.warc.gz"
    offsets = write_warc(warc, extra=[lying])
    process = check(warc)
    assert process.returncode == 1
    assert f"{warc}: offset {offsets[4]} " in process.stdout
    assert "Transfer-Encoding: chunked over a body that is not chunked" in process.stdout


def test_records_without_a_target_uri_are_named_not_a_traceback(tmp_path: Path):
    def untargeted(writer: WARCWriter):
        record = _response(writer, "http://news.example/x", PAGE)
        record.rec_headers.remove_header("WARC-Target-URI")
        return record

    warc = tmp_path / "untargeted.warc.gz"
    offsets = write_warc(warc, extra=[untargeted])
    process = check(warc)
    assert_readable(process)
    assert process.returncode == 1
    errors = [line for line in process.stdout.splitlines() if ": error: " in line]
    assert len(errors) == 1 and errors[0].startswith(f"{warc}: offset {offsets[4]} ")
    assert errors[0].endswith("error: response record without WARC-Target-URI "
                              "(replay cannot find it)")


def test_empty_records_and_loose_arc_lengths_are_warnings(tmp_path: Path):
    """An ARC file as old crawlers left them: a length of -1 or a word where the number
    goes, a record holding only a line break. warcio reads each as an empty record; nothing
    is stored, so nothing is lost, and the good record after them is read whole."""
    body = b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n" + PAGE
    lines = [b"filedesc://old.arc 127.0.0.1 20140301000000 text/plain -1\n"
             b"1 0 Old\nURL IP-address Archive-date Content-type Archive-length\n\n",
             b"http://news.example/a 127.0.0.1 20140301000000 text/html -1\n\n",
             b"http://news.example/b 127.0.0.1 20140301000000 text/html 1\n\n\n",
             b"http://news.example/c 127.0.0.1 20140301000000 text/html abc\n\n",
             b"http://news.example/d 127.0.0.1 20140301000000 text/html %d\n%s\n"
             % (len(body), body)]
    arc = tmp_path / "old.arc"
    arc.write_bytes(b"".join(lines))
    offsets = [sum(map(len, lines[:n])) for n in range(len(lines))]
    empty = tmp_path / "empty-response.warc"
    offsets_empty = write_warc(empty, extra=[lambda w: w.create_warc_record(
        "http://news.example/empty", "response", payload=BytesIO(b""), length=0)])
    process = check(arc, empty)
    assert_readable(process)
    assert process.returncode == 0, process.stdout
    lines_out = process.stdout.splitlines()
    assert f"{arc}: offset {offsets[0]}: warning: ARC record with an invalid length " \
           "(read as empty) (3 records, first here)" in lines_out
    assert f"{arc}: offset {offsets[1]}: warning: response record with an empty block " \
           "(no HTTP message) (3 records, first here)" in lines_out
    assert f"{arc}: ok (3 warnings)" in lines_out
    assert lines_out[-2:] == [f"{empty}: offset {offsets_empty[-1]}: warning: response "
                              "record with an empty block (no HTTP message)",
                              f"{empty}: ok (1 warning)"]
    index = run_archiver("index", str(arc))
    assert index.returncode == 0
    whole = [line for line in index.stdout.splitlines() if line.startswith("example,news)/d ")]
    assert len(whole) == 1 and '"status": "200"' in whole[0], index.stdout
    assert f'"offset": "{offsets[4]}"' in whole[0]


def test_a_member_opening_with_line_breaks_is_read_as_its_record(tmp_path: Path):
    """After damage, reading resumes at the next gzip member; one that opens with the
    previous record's closing CRLFs still holds a whole record, checked as such (here
    its bad digest is found), not an empty record swallowing it."""
    warc = tmp_path / "shifted.warc.gz"
    offsets = write_warc(warc)
    data = bytearray(warc.read_bytes())
    data[offsets[1] + 20 : offsets[1] + 60] = b"\xff" * 40
    tail = gzip.decompress(bytes(data[offsets[3]:])).replace(b"Text.", b"Txet.")
    warc.write_bytes(bytes(data[: offsets[3]]) + gzip.compress(b"\r\n\r\n" + tail))
    process = check(warc)
    assert_readable(process)
    lines = process.stdout.splitlines()
    assert [line for line in lines if f"offset {offsets[3]} <urn:uuid:" in line
            and ": error: " in line and "digest" in line], lines
    assert not [line for line in lines if "no version line" in line], lines
