"""The link between an item, a catalog row and the WARC record they were read from.

One home for the vocabulary every component shares: where a record is
(:class:`RecordLocation`), the record a revisit refers to (:class:`Original`),
what the capture middleware publishes for each exchange (:class:`RecordLink`,
in ``request.meta[LINK_META_KEY]``), the revisit profiles of WARC 1.1
(section 6.7) and the digest warcio writes.
"""

from __future__ import annotations

from dataclasses import dataclass

from warcio.utils import Digester

PROFILE_IDENTICAL = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
PROFILE_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"

LINK_META_KEY = "warc_capture"
"""``request.meta`` key: the :class:`RecordLink` of the exchange, once it is on disk."""
PREVIOUS_META_KEY = "archiver_previous"
"""``request.meta`` key: the :class:`Original` a conditional request was made against."""
DISCOVERY_KEY_META_KEY = "archiver_discovery_key"
"""``request.meta`` key: the discovery key of the page's site, set by a spider that
would reuse a replayed page's stored analysis (:mod:`archiver.capture.recrawl`)."""
STORED_PAGE_META_KEY = "archiver_stored_page"
"""``request.meta`` key: what the catalog holds of a replayed page for reuse
(:class:`archiver.reuse.StoredPage`), as the recrawl middleware found it."""
REUSED_FLAG = "reused"
"""Response flag: a replayed page whose whole analysis the catalog holds, handed on
with its body as archived (still encoded): nothing reads it, and the decompression
and meta-refresh middlewares leave it alone."""


@dataclass(frozen=True)
class RecordLocation:
    """Where a record landed: enough to open it again with a seek."""

    filename: str
    offset: int
    length: int
    record_id: str


@dataclass(frozen=True)
class Original:
    """An earlier record that holds a payload, as a revisit record refers to it."""

    record_id: str
    url: str
    date: str
    filename: str
    offset: int
    payload_digest: str


@dataclass(frozen=True)
class RecordLink:
    """A response or revisit record on disk, as items and the catalog link to it.

    For a revisit, ``payload_digest`` is the referred payload's digest and
    ``refers_to`` the record that holds that payload.
    """

    location: RecordLocation
    url: str
    status: int
    payload_digest: str
    fetched_at: str
    crawl_id: str
    record_type: str = "response"
    refers_to: Original | None = None
    profile: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        """A revisit written for a 304 to our conditional request."""
        return self.profile == PROFILE_NOT_MODIFIED

    def original(self) -> Original:
        """This record as a later revisit record would refer to it."""
        return self.refers_to or Original(
            record_id=self.location.record_id,
            url=self.url,
            date=self.fetched_at,
            filename=self.location.filename,
            offset=self.location.offset,
            payload_digest=self.payload_digest,
        )


def payload_digest(body: bytes) -> str:
    """The ``WARC-Payload-Digest`` warcio writes for this body."""
    digester = Digester("sha1")
    digester.update(body)
    return str(digester)
