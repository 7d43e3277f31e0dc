"""The paywall verdict as a WARC ``metadata`` record: how it is written and read back.

An archive alone must say what was captured and why it was judged complete or
walled, without our item files: each verdict goes into a ``metadata`` record
that refers to the article's response record (``WARC-Refers-To``). Replay
tools index metadata records by target URI, and under the article's own URL
the verdict would shadow the article in pywb (as Browsertrix's
``urn:pageinfo:`` records would), so the record gets a URN of its own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from warcio.recordloader import ArcWarcRecord

from archiver import __version__
from archiver.paywall.verdict import PaywallVerdict

URN_PREFIX = "urn:paywall-verdict:"
CONTENT_TYPE = "application/json"
DOCUMENT_TYPE = "paywall-verdict"


@dataclass(frozen=True)
class VerdictRecord:
    """A verdict as stored in the WARC: the article, the record it judges, the verdict."""

    url: str
    refers_to: str
    verdict: dict[str, Any]

    @property
    def target_uri(self) -> str:
        return URN_PREFIX + self.url

    def payload(self) -> bytes:
        document = {
            "type": DOCUMENT_TYPE,
            "software": f"news-archiver/{__version__}",
            "url": self.url,
            "verdict": self.verdict,
        }
        return json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8")

    def paywall_verdict(self) -> PaywallVerdict:
        return PaywallVerdict.from_dict(self.verdict)


def read_verdict_record(record: ArcWarcRecord) -> VerdictRecord | None:
    """The verdict a record holds, or ``None`` for any other record (the stream is read)."""
    if record.rec_type != "metadata":
        return None
    if record.rec_headers.get_header("Content-Type") != CONTENT_TYPE:
        return None
    try:
        document = json.loads(record.content_stream().read())
    except ValueError:
        return None
    if not isinstance(document, dict) or document.get("type") != DOCUMENT_TYPE:
        return None
    verdict = document.get("verdict")
    return VerdictRecord(
        url=str(document.get("url") or ""),
        refers_to=record.rec_headers.get_header("WARC-Refers-To") or "",
        verdict=verdict if isinstance(verdict, dict) else {},
    )
