"""Where a run's files go: one home for the output directory's layout.

Every component and verb asks an :class:`OutputLayout` instead of joining
paths itself, so ``ARCHIVER_WARC_DIR`` (WARCs on another disk) or
``ARCHIVER_CATALOG_URL`` (a shared PostgreSQL catalog) is honoured by the crawl,
its summary, the recovery after a kill and every toolkit verb alike.

A crawl whose WARCs live outside ``DIR/warc`` records where in
``DIR/layout.json``, so that verbs given only ``DIR`` find them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # no Scrapy import for the CLI's fast paths
    from scrapy.settings import BaseSettings

WARC_DIRNAME = "warc"
CATALOG_FILENAME = "catalog.sqlite"
LOCK_FILENAME = ".archiver.lock"
LOCK_HOLDER_FILENAME = ".archiver.lock.json"
JOB_DIRNAME = "job"
REPLAY_DIRNAME = "replay"
LOGS_DIRNAME = "logs"
MANIFEST_FILENAME = "layout.json"
ITEMS_SUFFIX = ".jsonl"


@dataclass(frozen=True)
class OutputLayout:
    """The files of one output directory (``ARCHIVER_OUTPUT_DIR``, ``--output``)."""

    output_dir: Path
    warc_dir: Path
    catalog_url: str

    @classmethod
    def of(
        cls, output_dir: Path | str, warc_dir: Path | str | None = None,
        catalog_url: str | None = None,
    ) -> OutputLayout:
        """The layout of ``output_dir``; an unset WARC directory is read from its manifest."""
        output_dir = Path(output_dir)
        if not warc_dir:
            warc_dir = _recorded_warc_dir(output_dir) or output_dir / WARC_DIRNAME
        return cls(
            output_dir=output_dir,
            warc_dir=Path(warc_dir),
            catalog_url=catalog_url or default_catalog_url(output_dir),
        )

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> OutputLayout:
        return cls.of(
            settings["ARCHIVER_OUTPUT_DIR"],
            settings.get("ARCHIVER_WARC_DIR") or None,
            settings.get("ARCHIVER_CATALOG_URL") or None,
        )

    @property
    def catalog_path(self) -> Path:
        """The default SQLite catalog file (whether or not the run uses it)."""
        return self.output_dir / CATALOG_FILENAME

    @property
    def has_local_catalog(self) -> bool:
        return self.catalog_url == default_catalog_url(self.output_dir)

    @property
    def lock_path(self) -> Path:
        return self.output_dir / LOCK_FILENAME

    @property
    def lock_holder_path(self) -> Path:
        return self.output_dir / LOCK_HOLDER_FILENAME

    @property
    def job_dir(self) -> Path:
        return self.output_dir / JOB_DIRNAME

    @property
    def replay_dir(self) -> Path:
        return self.output_dir / REPLAY_DIRNAME

    @property
    def manifest_path(self) -> Path:
        return self.output_dir / MANIFEST_FILENAME

    def log_path(self, crawl_id: str) -> Path:
        """Scrapy's full log of a run (the console shows a summary of it)."""
        return self.output_dir / LOGS_DIRNAME / f"{crawl_id}.log"

    def items_path(self, crawl_id: str) -> Path:
        return self.output_dir / f"{crawl_id}{ITEMS_SUFFIX}"

    def item_files(self) -> list[Path]:
        """The item files of every crawl written here, one per crawl."""
        return sorted(self.output_dir.glob(f"*{ITEMS_SUFFIX}"))

    def warc_files(self) -> list[Path]:
        """Closed WARC files (``.open`` ones are still being written)."""
        return sorted(self.warc_dir.glob("*.warc.gz"))

    def record(self) -> None:
        """Note a WARC directory outside ``DIR/warc`` in the manifest, for later verbs."""
        if self.warc_dir.resolve() == (self.output_dir / WARC_DIRNAME).resolve():
            return
        self.output_dir.mkdir(parents=True, exist_ok=True)
        self.manifest_path.write_text(
            json.dumps({"warc_dir": str(self.warc_dir.resolve())}, indent=1) + "\n"
        )


def default_catalog_url(output_dir: Path | str) -> str:
    return f"sqlite:///{Path(output_dir).resolve() / CATALOG_FILENAME}"


def _recorded_warc_dir(output_dir: Path) -> Path | None:
    try:
        manifest = json.loads((output_dir / MANIFEST_FILENAME).read_text())
    except (OSError, ValueError):
        return None
    warc_dir = manifest.get("warc_dir") if isinstance(manifest, dict) else None
    return Path(warc_dir) if isinstance(warc_dir, str) and warc_dir else None
