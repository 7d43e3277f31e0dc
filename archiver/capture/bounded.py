"""The bound on decoded bodies, for the crawl and for readers of archived records.

A decompression bomb is archived as sent (the WARC keeps what the server sent),
so whoever reads it back decoded (``archiver reextract``, the toolkit) must not
inflate it without limit either. Kept free of Scrapy so the toolkit's readers
stay light.
"""

from __future__ import annotations

DEFAULT_DECODED_MAXSIZE = 64 * 1024**2
"""``ARCHIVER_DECODED_MAXSIZE``'s default, and the bound of readers that have no settings."""


class BodyTooLarge(ValueError):
    """A body that decodes to more than the limit: read no further."""
