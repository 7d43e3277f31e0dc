"""Verdicts record the detector version and the extracted article they were made with.

An unchanged revisit (same payload) whose last verdict was made by the same
detector version reuses that verdict and article instead of analysing the page
again (``archiver.reuse``); rows from before this migration have neither and
are simply analysed again.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


# Plain ALTER TABLE, as in 0002 and 0003: a batch copy of the table would break the views.
def upgrade() -> None:
    op.add_column("verdicts", sa.Column("detector_version", sa.String(length=100)))
    op.add_column("verdicts", sa.Column("article", sa.JSON()))


def downgrade() -> None:
    op.execute("ALTER TABLE verdicts DROP COLUMN article")
    op.execute("ALTER TABLE verdicts DROP COLUMN detector_version")
