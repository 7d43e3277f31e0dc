"""What kind of input a file is (a saved page, a WARC, a WACZ, an items file), from its bytes.

Verbs take different inputs and people mix them up (``detect`` on a
``.warc.gz``, ``report`` on one WARC file). Each verb asks :func:`file_kind`
and says what it got and which verb takes it, instead of failing later or,
worse, reading it as something else ("no paywall detected").
"""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Literal

Kind = Literal["html", "warc", "wacz", "items", "empty", "unknown"]
SNIFF_BYTES = 4096

TAKEN_BY: dict[str, str] = {
    "html": "a saved page: `archiver detect FILE`",
    "warc": "a WARC file: `archiver check`, `index`, `wacz`, `reextract` or `replay` on its "
            "crawl directory",
    "wacz": "a WACZ package: open it in ReplayWeb.page, or unzip its archive/*.warc.gz",
    "items": "an items file (JSON Lines): `archiver report` on its directory",
}


def data_kind(head: bytes) -> Kind:
    """The kind of input whose first bytes (gzip already undone or not) are ``head``."""
    if head[:2] == b"\x1f\x8b":
        try:
            head = zlib.decompressobj(wbits=31).decompress(head, SNIFF_BYTES)
        except zlib.error:
            return "unknown"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text:
        return "empty"
    if text.startswith(b"PK\x03\x04"):
        return "wacz"
    if text.startswith((b"WARC/", b"filedesc://")):
        return "warc"
    if text.startswith(b"{"):
        return "items"
    if text.startswith(b"<"):
        return "html"
    return "unknown"


def file_kind(path: Path) -> Kind:
    with open(path, "rb") as stream:
        return data_kind(stream.read(SNIFF_BYTES))


def wrong_kind(name: str, kind: Kind, wanted: str) -> str:
    """The message for ``name``, a ``kind``, given where ``wanted`` was expected."""
    if kind == "empty":
        return f"{name}: empty; give {wanted}"
    what = TAKEN_BY.get(kind, "not a kind of file archiver reads")
    return f"{name}: this is {what}; here give {wanted}"



