"""The catalog's schema comes from its migrations, and the models agree with them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from archiver.catalog.models import Base
from archiver.catalog.store import (
    MIGRATION_FILES,
    MIGRATIONS,
    CatalogOutdated,
    CatalogStore,
    head_revision,
)
from archiver.layout import default_catalog_url


def test_a_new_catalog_is_at_the_newest_migration(tmp_path: Path):
    store = CatalogStore(default_catalog_url(tmp_path))
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    with store.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head
        views = set(inspect(connection).get_view_names())
    assert {"verdict_history", "verdict_changes"} <= views
    store.close()


def test_the_models_match_the_migrations(tmp_path: Path):
    store = CatalogStore(default_catalog_url(tmp_path))
    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    store.close()
    assert differences == []


def test_opening_a_catalog_again_keeps_its_rows(tmp_path: Path):
    store = CatalogStore(default_catalog_url(tmp_path))
    store.start_crawl("kept", "site", {"ARCHIVER_CRAWL_ID": "kept"})
    store.close()
    again = CatalogStore(default_catalog_url(tmp_path))
    with again.engine.connect() as connection:
        assert connection.execute(text("SELECT id FROM crawls")).all() == [("kept",)]
    again.close()


def test_the_head_is_known_from_the_migrations_file_names():
    script = ScriptDirectory(str(MIGRATIONS))
    files = {path.name for path in (MIGRATIONS / "versions").glob("*.py")} - {"__init__.py"}
    named = {path.name for path in (MIGRATIONS / "versions").glob(MIGRATION_FILES)}
    assert named == files
    assert {revision.revision for revision in script.walk_revisions()} == {
        name[:4] for name in named}
    assert head_revision() == script.get_current_head()


OPEN_AND_LIST = """
import json, sys
from archiver.catalog.store import CatalogStore
store = CatalogStore(sys.argv[1], migrate=sys.argv[2] == "migrate")
store.close()
print(json.dumps([name for name in ("alembic", "mako") if name in sys.modules]))
"""


def _open_in_a_process(url: str, mode: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", OPEN_AND_LIST, url, mode], capture_output=True,
                          text=True, timeout=120, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def test_a_catalog_at_the_head_opens_without_alembic(tmp_path: Path):
    url = default_catalog_url(tmp_path)
    CatalogStore(url).close()
    assert _open_in_a_process(url, "migrate") == []
    assert _open_in_a_process(url, "read") == []


def test_a_catalog_behind_the_head_is_upgraded_or_refused(tmp_path: Path):
    url = default_catalog_url(tmp_path)
    CatalogStore(url).close()
    store = CatalogStore(url)
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0004'"))
        connection.execute(text("ALTER TABLE captures DROP COLUMN discovery"))
    store.close()
    with pytest.raises(CatalogOutdated, match="revision 0004, this version needs"):
        CatalogStore(url, migrate=False)
    upgraded = CatalogStore(url)
    with upgraded.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head_revision()
        assert "discovery" in {c["name"] for c in inspect(connection).get_columns("captures")}
    upgraded.close()
