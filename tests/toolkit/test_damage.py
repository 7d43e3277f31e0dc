"""A bad record or file is named with its offset and skipped; everything readable is still
written; the verb exits 1 at the end; each problem is printed once."""

from __future__ import annotations

from pathlib import Path

from tests.crawling import run_archiver
from tests.toolkit.conftest import SiteCrawl, read_jsonl
from tests.toolkit.test_check import PAGE, _response, assert_readable, write_warc


def damaged_inputs(site_crawl: SiteCrawl, directory: Path) -> tuple[list[Path], list[str]]:
    """The crawl's good WARCs plus a corrupt copy of one (a record's gzip member overwritten
    in the middle), an empty file and a file that is no archive; and the line prefixes
    that must name the damage."""
    directory.mkdir()
    good = site_crawl.output.warc_files
    source = good[0].read_bytes()
    corrupt = directory / ("corrupt-" + good[0].name)
    offsets = [item["warc_offset"] for item in site_crawl.output.items()
               if item["warc_filename"] == good[0].name]
    hit = sorted(offsets)[1]
    data = bytearray(source)
    data[hit + 30 : hit + 90] = b"\xff" * 60
    corrupt.write_bytes(bytes(data))
    empty = directory / "empty.warc.gz"
    empty.write_bytes(b"")
    text = directory / "notes.warc"
    text.write_text("not an archive at all\n")
    prefixes = [f"{corrupt}: offset {hit}: ", f"{empty}: empty file",
                f"{text}: not a WARC or ARC file"]
    return [*good, corrupt, empty, text], prefixes


def test_reextract_writes_every_good_item_and_exits_1(site_crawl: SiteCrawl, tmp_path: Path):
    inputs, prefixes = damaged_inputs(site_crawl, tmp_path / "inputs")
    output = tmp_path / "items.jsonl"
    process = run_archiver("reextract", *map(str, inputs), "-o", str(output))
    assert_readable(process)
    assert process.returncode == 1
    items = read_jsonl(output)
    good = {(i["warc_filename"], i["warc_offset"]) for i in site_crawl.output.items()}
    written = {(i["warc_filename"], i["warc_offset"]) for i in items}
    assert good <= written, "every article of the good files is written"
    assert len(written - good) == len(good) - 1, "the corrupt copy loses one article only"
    lines = process.stderr.splitlines()
    for prefix in prefixes:
        assert len([line for line in lines if line.startswith(prefix)]) == 1, (prefix, lines)
    assert len(lines) == len(set(lines)), "each problem once"


def test_index_and_wacz_skip_the_damage_and_keep_the_rest(site_crawl: SiteCrawl,
                                                          tmp_path: Path):
    inputs, prefixes = damaged_inputs(site_crawl, tmp_path / "inputs")
    whole = run_archiver("index", *map(str, site_crawl.output.warc_files)).stdout.splitlines()
    process = run_archiver("index", *map(str, inputs))
    assert_readable(process)
    assert process.returncode == 1
    lines = process.stdout.splitlines()
    assert set(whole) <= set(lines) and lines == sorted(lines)
    corrupt_lines = [line for line in lines if '"filename": "corrupt-' in line]
    assert len(corrupt_lines) >= len(whole) - 2, "the corrupt copy is indexed but for its bad part"
    for prefix in prefixes:
        assert len([e for e in process.stderr.splitlines() if e.startswith(prefix)]) == 1
    package = tmp_path / "damaged.wacz"
    process = run_archiver("wacz", *map(str, inputs[:-2]), "-o", str(package))
    assert_readable(process)
    assert process.returncode == 1 and package.is_file()
    assert len([e for e in process.stderr.splitlines() if e.startswith(prefixes[0])]) == 1


def test_records_without_a_target_uri_are_named_by_index_and_skipped_by_reextract(
        tmp_path: Path):
    def untargeted(writer):
        record = _response(writer, "http://news.example/x", PAGE)
        record.rec_headers.remove_header("WARC-Target-URI")
        return record

    warc = tmp_path / "untargeted.warc.gz"
    offsets = write_warc(warc, extra=[untargeted])
    process = run_archiver("index", str(warc))
    assert_readable(process)
    assert process.returncode == 1
    assert process.stderr.splitlines() == [
        f"{warc}: offset {offsets[4]}: response record without WARC-Target-URI; not indexed"]
    assert len(process.stdout.splitlines()) == 3, "the other responses are indexed"
    items = tmp_path / "items.jsonl"
    process = run_archiver("reextract", str(warc), "-o", str(items))
    assert_readable(process)
    assert process.returncode == 0, "not an HTTP capture: nothing to re-analyse"
    assert "3 HTTP records" in process.stdout
