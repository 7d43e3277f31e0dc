"""Test helpers: run the real ``archiver`` CLI against a loopback site and read its output."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_START_DELAY=0", "-s", "LOG_LEVEL=INFO"]


def run_archiver(*args: str, cwd: Path | None = None, timeout: float = 180) -> (
    subprocess.CompletedProcess[str]
):
    return subprocess.run(
        [sys.executable, "-m", "archiver", *args],
        capture_output=True, text=True, timeout=timeout, cwd=cwd,
    )


def _header_values(head: bytes, name: str) -> list[bytes]:
    """Raw values of one header in a head block (first line skipped), in order."""
    prefix = name.lower().encode() + b":"
    return [
        line.split(b":", 1)[1].strip()
        for line in head.split(b"\r\n")[1:]
        if line.lower().startswith(prefix)
    ]


@dataclass
class Record:
    """A WARC record read back byte for byte from its own gzip member."""

    path: Path
    offset: int
    warc_head: bytes
    block: bytes

    @classmethod
    def at(cls, path: Path, offset: int) -> Record:
        with open(path, "rb") as stream:
            stream.seek(offset)
            inflater = zlib.decompressobj(wbits=31)
            data = b""
            while not inflater.eof:
                chunk = stream.read(65536)
                if not chunk:
                    raise AssertionError(f"{path}@{offset}: gzip member ends early")
                data += inflater.decompress(chunk)
        head, _, rest = data.partition(b"\r\n\r\n")
        record = cls(path, offset, head, b"")
        length = int(record.header("Content-Length") or 0)
        record.block = rest[:length]
        assert rest[length:] == b"\r\n\r\n", "record must end with two CRLFs"
        return record

    def headers(self, name: str) -> list[str]:
        return [value.decode("utf-8") for value in _header_values(self.warc_head, name)]

    def header(self, name: str) -> str | None:
        values = self.headers(name)
        return values[0] if values else None

    @property
    def rec_type(self) -> str:
        return self.header("WARC-Type") or ""

    @property
    def target(self) -> str | None:
        return self.header("WARC-Target-URI")

    @property
    def http_head(self) -> bytes:
        return self.block.partition(b"\r\n\r\n")[0]

    @property
    def payload(self) -> bytes:
        return self.block.partition(b"\r\n\r\n")[2]

    @property
    def first_line(self) -> bytes:
        return self.http_head.split(b"\r\n", 1)[0]

    def http_header_values(self, name: str) -> list[bytes]:
        return _header_values(self.http_head, name)


def deflate_block_type(record: Record) -> int:
    """BTYPE of the first deflate block in the record's gzip member (0: stored)."""
    with open(record.path, "rb") as stream:
        stream.seek(record.offset)
        head = stream.read(11)
    assert head[:4] == b"\x1f\x8b\x08\x00", "a gzip member with no optional header fields"
    return (head[10] >> 1) & 0b11


def read_records(path: Path) -> list[Record]:
    """Every record of a file, located by warcio and re-read from its offset."""
    with open(path, "rb") as stream:
        iterator = ArchiveIterator(stream)
        offsets = []
        for record in iterator:
            record.raw_stream.read()
            offsets.append(iterator.get_record_offset())
    return [Record.at(path, offset) for offset in offsets]


@dataclass
class CrawlOutput:
    directory: Path
    process: subprocess.CompletedProcess[str]

    @property
    def warc_files(self) -> list[Path]:
        return sorted((self.directory / "warc").glob("*.warc.gz"))

    def records(self) -> list[Record]:
        return [r for path in self.warc_files for r in read_records(path)]

    def items(self) -> list[dict]:
        return [json.loads(line) for path in sorted(self.directory.glob("*.jsonl"))
                for line in path.read_text(encoding="utf-8").splitlines() if line]


def crawl(url: str, output: Path, *extra: str) -> CrawlOutput:
    process = run_archiver("crawl", "--url", url, "--output", str(output), *FAST, *extra)
    return CrawlOutput(output, process)


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
