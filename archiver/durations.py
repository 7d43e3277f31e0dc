"""Durations as operators write them: ``30m``, ``12h``, ``2d``, ``1w``.

One parser for every setting and option that takes one (``--since``,
``ARCHIVER_REVISIT_AFTER``, ``archiver schedule --every``), so they accept the
same spellings and reject the same mistakes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$", re.IGNORECASE)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
EXAMPLES = "30m, 12h, 2d, 1w"


@dataclass(frozen=True)
class Duration:
    count: float
    unit: str
    """``s``, ``m``, ``h``, ``d`` or ``w``."""

    @property
    def timedelta(self) -> timedelta:
        return timedelta(**{_UNITS[self.unit]: self.count})


def parse_duration(text: str) -> Duration | None:
    """The duration ``text`` spells, or ``None`` when it is not one."""
    match = _DURATION.match(text)
    return Duration(float(match[1]), match[2].lower()) if match else None
