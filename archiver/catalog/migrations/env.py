"""Alembic environment: migrations run on the connection the catalog store passes in.

``alembic revision --rev-id NNNN -m "..."`` from this directory (with
``sqlalchemy.url`` given by ``-x url=...`` or in an ``alembic.ini``) starts a new
revision, numbered after the last (the store finds the head from the file names,
``NNNN_*.py``, without importing alembic); the store upgrades every catalog to
``head`` when it opens it.
"""

from alembic import context
from sqlalchemy import create_engine

from archiver.catalog.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    connection = create_engine(url).connect()
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
