"""The catalog's schema comes from its migrations, and the models agree with them."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from archiver.catalog.models import Base
from archiver.catalog.store import MIGRATIONS, CatalogStore
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
