"""Items the crawl emits. Plain dataclasses: code that handles items uses ItemAdapter."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ArticleItem:
    """One captured article and the WARC record it was read from."""

    url: str
    final_url: str
    status: int
    title: str | None = None
    published: str | None = None
    authors: list[str] = field(default_factory=list)
    language: str | None = None
    text: str = ""
    word_count: int = 0
    paywall: dict[str, Any] | None = None
    warc_filename: str | None = None
    warc_offset: int | None = None
    warc_length: int | None = None
    warc_record_id: str | None = None
    # s3://... where the WARC file lives once uploaded (ARCHIVER_WARC_UPLOAD_URL)
    warc_location: str | None = None
    payload_digest: str | None = None
    fetched_at: str | None = None
    crawl_id: str | None = None
    rendered: dict[str, Any] | None = None
    """The rendered DOM and screenshot records of this capture (``--render``)."""
