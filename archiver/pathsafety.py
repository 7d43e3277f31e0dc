"""Names that become file names stay inside their directory.

A crawl id names the items file (``DIR/{crawl_id}.jsonl``) and, with
``ARCHIVER_WARC_PREFIX``, every WARC file; both come from the command line,
settings or a scheduler's unit file. ``--crawl-id ../../etc/cron.d/x`` would
otherwise write outside the output directory. Site names are held to
``NAME_PATTERN`` by the config schema, and ``archiver schedule`` replaces
everything but ``[A-Za-z0-9_.-]`` in the job names it makes from hosts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from archiver.console.errors import UsageError

FILE_NAME_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
CHECKED_SETTINGS = ("ARCHIVER_CRAWL_ID", "ARCHIVER_WARC_PREFIX")


class UnsafeName(UsageError):
    """A name that would not stay a single file name inside its directory (exit 2)."""


def file_name_part(value: str, what: str) -> str:
    """``value`` if it is a plain file name part (no separator, no ``..``, no leading dot)."""
    if not FILE_NAME_PART.fullmatch(value) or ".." in value:
        raise UnsafeName(f"{what} {value!r}: use letters, digits, '.', '_' and '-' only "
                         "(it names files in the output directory), e.g. crawl-2026-daily")
    return value


def check_settings(values: Mapping[str, object]) -> None:
    """Raise :class:`UnsafeName` for a crawl id or WARC prefix that would leave its directory."""
    for name in CHECKED_SETTINGS:
        value = values.get(name)
        if value:
            file_name_part(str(value), name)
