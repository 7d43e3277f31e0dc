"""Captures keep what link discovery found in their payload.

An unchanged revisit (a 304, or the same payload again) follows the links,
feeds and requisites stored with the capture that holds its payload instead of
parsing the page again (``archiver.reuse``); rows from before this migration
have none, and their pages are parsed once more.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


# Plain ALTER TABLE, as in 0002-0004: a batch copy of the table would break the views.
def upgrade() -> None:
    op.add_column("captures", sa.Column("discovery", sa.JSON()))


def downgrade() -> None:
    op.execute("ALTER TABLE captures DROP COLUMN discovery")
