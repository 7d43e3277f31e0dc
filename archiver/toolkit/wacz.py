"""WACZ 1.1.1 packages, streamed: WARCs are copied into the ZIP and hashed on the way.

py-wacz 0.6 (``wacz create``) streams WARCs too, but it always writes a
compressed ZipNum index (``indexes/index.cdx.gz`` + ``index.idx``), hashes every
entry in a second pass over the finished ZIP, prints to stdout, and keeps
passed pages only if its own page detection matches them. We want a plain sorted
CDXJ index (by cdxj-indexer, as ``archiver index`` writes it) and our page list
with verdicts, so the few lines of ZIP and datapackage writing are here;
``wacz validate`` from py-wacz checks the result in the tests.

Two readers constrain the layout (both checked by tests/interop/):

- The index is ``indexes/index.cdx`` holding CDXJ lines, as py-wacz's and
  Browsertrix's ``.cdx(.gz)`` files do: pywb 2.10 ``wb-manager add --unpack-wacz``
  only picks up ``*.cdx``/``*.cdx.gz`` members, and ReplayWeb.page reads
  ``*.cdx`` and ``*.cdxj`` alike. One file, so ReplayWeb.page loads it once.
- No ZIP64 extra field unless an entry needs one. ``force_zip64=True`` puts a
  ZIP64 extra field into the local header but none into the central directory
  (the sizes fit in 32 bits there); ReplayWeb.page 2.5.3 computes where an
  entry's data starts from the central directory's extra length, so every read
  landed 20 bytes early and no page was found. Each entry is opened with its
  size known in advance, so zipfile writes ZIP64 fields only past 4 GiB.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from archiver import __version__
from archiver.toolkit.index import write_index
from archiver.toolkit.inputs import InputError
from archiver.toolkit.pages import Page, pages_jsonl
from archiver.toolkit.readable import Damage

WACZ_VERSION = "1.1.1"
CHUNK = 1 << 20
INDEX_PATH = "indexes/index.cdx"


@dataclass
class WaczPackage:
    path: Path
    resources: list[dict[str, Any]] = field(default_factory=list)
    pages: int = 0
    damage: list[Damage] = field(default_factory=list)
    """Records the index could not hold (the WARCs are packaged whole all the same)."""


def _resource(path: str, digest: hashlib._Hash, size: int) -> dict[str, Any]:
    return {"name": os.path.basename(path).lower(), "path": path,
            "hash": "sha256:" + digest.hexdigest(), "bytes": size}


def _add_stream(archive: zipfile.ZipFile, source: IO[bytes], info: zipfile.ZipInfo,
                ) -> dict[str, Any]:
    """Copy ``source`` into the entry ``info``, whose ``file_size`` must be the size of
    ``source``: zipfile decides from it whether the local header needs ZIP64 fields."""
    digest, size = hashlib.sha256(), 0
    with archive.open(info, "w") as target:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            target.write(chunk)
    return _resource(info.filename, digest, size)


def _add_bytes(archive: zipfile.ZipFile, name: str, data: bytes) -> dict[str, Any]:
    info = zipfile.ZipInfo(name, datetime.now(UTC).timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)
    return _resource(name, hashlib.sha256(data), len(data))


def write_wacz(
    warcs: Sequence[Path], pages: Sequence[Page], output: Path, title: str | None = None
) -> WaczPackage:
    """Write ``output`` (via ``output.open`` then a rename, so a partial file never has
    the final name). WARCs are stored uncompressed in the ZIP, as the spec requires
    for random access; the index and page list are deflated."""
    names: dict[str, Path] = {}
    for warc in warcs:
        if warc.name in names:
            raise InputError(f"{names[warc.name]} and {warc}: two WARCs named {warc.name}; "
                             "a WACZ holds them in one folder, rename one")
        names[warc.name] = warc
    package = WaczPackage(output, pages=len(pages))
    partial = output.with_name(output.name + ".open")
    output.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(partial, "w", allowZip64=True) as archive:
        for warc in warcs:
            info = zipfile.ZipInfo.from_file(warc, f"archive/{warc.name}")
            info.compress_type = zipfile.ZIP_STORED
            with open(warc, "rb") as source:
                package.resources.append(_add_stream(archive, source, info))
        with tempfile.TemporaryFile("w+b") as index:
            text = io.TextIOWrapper(index, encoding="utf-8", write_through=True)
            package.damage += write_index(warcs, text)
            text.detach()
            index.seek(0)
            info = zipfile.ZipInfo(INDEX_PATH, datetime.now(UTC).timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.file_size = os.fstat(index.fileno()).st_size
            package.resources.append(_add_stream(archive, index, info))
        package.resources.append(_add_bytes(archive, "pages/pages.jsonl", pages_jsonl(pages)))
        datapackage = {
            "profile": "data-package",
            "resources": package.resources,
            "wacz_version": WACZ_VERSION,
            "software": f"news-archiver {__version__}",
            "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        if title:
            datapackage["title"] = title
        if pages:
            datapackage["mainPageURL"] = pages[0].url
            datapackage["mainPageDate"] = pages[0].ts
        encoded = json.dumps(datapackage, indent=2).encode()
        _add_bytes(archive, "datapackage.json", encoded)
        digest = {"path": "datapackage.json",
                  "hash": "sha256:" + hashlib.sha256(encoded).hexdigest()}
        _add_bytes(archive, "datapackage-digest.json", json.dumps(digest, indent=2).encode())
    partial.replace(output)
    return package

