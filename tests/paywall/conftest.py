"""Shared helpers for the paywall tests: labelled fixture pages and the shared corpus."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from archiver.page import CapturedPage

FIXTURES = Path(__file__).parent / "fixtures"
TUNING = FIXTURES / "tuning"
SHARED_FUNDUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "fundus"


def labels(directory: Path) -> list[dict[str, Any]]:
    lines = (directory / "labels.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def labelled_page(directory: Path, label: dict[str, Any]) -> CapturedPage:
    return CapturedPage(label["url"], (directory / label["file"]).read_bytes(),
                        status=label.get("status", 200), headers=label.get("headers", {}))


@pytest.fixture
def fundus() -> Path:
    if not (SHARED_FUNDUS / "labels.jsonl").exists():
        pytest.skip(f"shared fundus corpus not found at {SHARED_FUNDUS}")
    return SHARED_FUNDUS
