"""A WARC writer that stops cleanly when its disk is full.

On ``ENOSPC`` (or a quota's ``EDQUOT``) every later record would fail too, and
a record cut short mid-member must not be followed by more. So the writer stops
writing for good, tells the crawl to stop (one error line: where, what to do),
and leaves its current file ``.open``: the next run's recovery cuts it after its
last whole record pair (:func:`archiver.capture.warcfile.mend_open_file`). Files
already closed were fsynced whole and stay valid. Responses still in flight are
refused with :class:`DiskFull`, an ``IgnoreRequest``: no item is emitted for a
page that is not on disk.
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Callable

from scrapy.exceptions import IgnoreRequest
from warcio.recordloader import ArcWarcRecord

from archiver.capture.warcfile import RecordLocation, RotatingWarcWriter

FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
FINISH_REASON = "disk_full"

logger = logging.getLogger(__name__)


class DiskFull(IgnoreRequest):
    """The WARC directory's disk is full: nothing more is archived in this run."""


class DiskFullAwareWriter(RotatingWarcWriter):
    """:class:`RotatingWarcWriter` that calls ``on_full`` once, at the first full-disk error."""

    def __init__(self, *args: object, on_full: Callable[[], None], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.on_full = on_full
        self.full = False

    def write(self, record: ArcWarcRecord) -> RecordLocation:
        if self.full:
            raise DiskFull(f"{self.directory}: disk full, not archived")
        try:
            return super().write(record)
        except OSError as error:
            if error.errno not in FULL_ERRNOS:
                raise
            self.full = True
            logger.error(
                "%s: %s writing %s; the crawl stops. Free some space and run again: the next "
                "run recovers the open file and fetches what is missing.",
                self.directory, error.strerror, self.current_filename + ".open",
            )
            self.on_full()
            raise DiskFull(f"{self.directory}: disk full, not archived") from error

    def close(self) -> None:
        """Close the file, unless the disk is full: then it stays ``.open`` for recovery."""
        if not self.full:
            super().close()
