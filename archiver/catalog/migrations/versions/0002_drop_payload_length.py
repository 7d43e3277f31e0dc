"""Drop captures.payload_length: never written (the WARC record holds the length).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


# Plain ALTER TABLE (SQLite >= 3.35, PostgreSQL): a batch copy of the table would
# break the verdict views that read it.
def upgrade() -> None:
    op.execute("ALTER TABLE captures DROP COLUMN payload_length")


def downgrade() -> None:
    op.add_column("captures", sa.Column("payload_length", sa.BigInteger()))
