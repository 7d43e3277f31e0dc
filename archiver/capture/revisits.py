"""What a ``revisit`` record refers to, and the index that finds it.

A revisit record stores no payload: it names an earlier record that holds the
same payload (``WARC-Refers-To``, ``-Target-URI``, ``-Date``). Two profiles
are written (WARC 1.1, section 6.7): *identical-payload-digest*, when a fresh
response's payload digest equals an earlier capture's, and
*server-not-modified*, when a conditional request got a ``304``.

The capture middleware asks a :class:`CaptureIndex` for earlier captures and
tells it about each record once the record is on disk. Without a catalog the
index lives in memory (dedup within one run); the catalog replaces it with a
database-backed one, so that dedup and conditional requests span runs.
"""

from __future__ import annotations

from typing import Protocol

from archiver.capture.link import Original, RecordLink


class CaptureIndex(Protocol):
    def original_for_digest(self, payload_digest: str) -> Original | None:
        """An earlier record holding this payload, if any."""

    def remember(self, capture: RecordLink) -> None:
        """Called once a capture's records are flushed to disk."""


class MemoryIndex:
    """Within-run dedup when no catalog is configured."""

    def __init__(self) -> None:
        self._by_digest: dict[str, Original] = {}

    def original_for_digest(self, payload_digest: str) -> Original | None:
        return self._by_digest.get(payload_digest)

    def remember(self, capture: RecordLink) -> None:
        if capture.refers_to is None:
            self._by_digest.setdefault(capture.payload_digest, capture.original())
