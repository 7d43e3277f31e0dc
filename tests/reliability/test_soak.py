"""The soak benchmark, small: 400 pages of a faulty server (resets, stalls, 5xx, truncated
gzip; transient and permanent), every page archived whole exactly once or counted as failed.

``python -m benchmarks.soak`` runs the same with 20,000 pages and reports memory.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.soak.run import run_soak
from benchmarks.soak.site import FAULTS


def test_every_page_archived_once_or_counted_as_failed(tmp_path: Path):
    result = run_soak(400, tmp_path)
    assert set(result.faults) == set(FAULTS), "every kind of fault was served"
    assert result.exit_code == 0, result.warc_check
    assert result.warc_check == ""
    assert result.lost == []
    assert result.duplicated == []
    assert result.failed and result.failed_unrecorded == []
    assert result.counted_failed == len(result.failed)
