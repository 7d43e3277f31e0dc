"""Crawls, captures, articles, verdicts, and the verdict history views.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

VERDICT_HISTORY = """
CREATE VIEW verdict_history AS
SELECT a.url, v.observed_at, v.crawl_id, v.detected, v.kind, v.truncated, v.declared,
       v.confidence, v.not_modified, c.warc_filename, c.warc_offset, c.record_id
FROM verdicts v
JOIN articles a ON a.id = v.article_id
JOIN captures c ON c.id = v.capture_id
"""

# One row per change of verdict (and the first verdict) of each article:
# "when did this article become paywalled, or free again?"
VERDICT_CHANGES = """
CREATE VIEW verdict_changes AS
SELECT url, observed_at, crawl_id, detected, kind, previous_detected, previous_kind
FROM (
    SELECT a.url, v.observed_at, v.crawl_id, v.detected, v.kind,
           LAG(v.detected) OVER w AS previous_detected,
           LAG(v.kind) OVER w AS previous_kind,
           ROW_NUMBER() OVER w AS n
    FROM verdicts v JOIN articles a ON a.id = v.article_id
    WINDOW w AS (PARTITION BY v.article_id ORDER BY v.observed_at, v.id)
) history
WHERE n = 1 OR previous_detected <> detected
      OR COALESCE(previous_kind, '') <> COALESCE(kind, '')
"""


def upgrade() -> None:
    op.create_table(
        "crawls",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("spider", sa.String(200), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime()),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("finish_reason", sa.String(100)),
        sa.Column("exit_code", sa.Integer()),
        sa.Column("hostname", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("stats", sa.JSON()),
        sa.Column("summary", sa.JSON()),
    )
    op.create_table(
        "captures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("crawl_id", sa.String(200), sa.ForeignKey("crawls.id"), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("record_type", sa.String(20), nullable=False),
        sa.Column("revisit_profile", sa.String(100)),
        sa.Column("warc_filename", sa.String(255), nullable=False),
        sa.Column("warc_offset", sa.BigInteger(), nullable=False),
        sa.Column("warc_length", sa.BigInteger(), nullable=False),
        sa.Column("record_id", sa.String(100), nullable=False, unique=True),
        sa.Column("payload_digest", sa.String(100), nullable=False),
        sa.Column("payload_length", sa.BigInteger()),
        sa.Column("etag", sa.Text()),
        sa.Column("last_modified", sa.String(100)),
        sa.Column("refers_to_id", sa.Integer(), sa.ForeignKey("captures.id")),
    )
    op.create_index("ix_captures_url_fetched", "captures", ["url", "fetched_at"])
    op.create_index("ix_captures_payload_digest", "captures", ["payload_digest"])
    op.create_index("ix_captures_warc_filename", "captures", ["warc_filename"])
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("url", sa.Text(), nullable=False, unique=True),
        sa.Column("final_url", sa.Text()),
        sa.Column("title", sa.Text()),
        sa.Column("first_seen", sa.DateTime(), nullable=False),
        sa.Column("last_seen", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "verdicts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("article_id", sa.Integer(), sa.ForeignKey("articles.id"), nullable=False),
        sa.Column("crawl_id", sa.String(200), sa.ForeignKey("crawls.id"), nullable=False),
        sa.Column("capture_id", sa.Integer(), sa.ForeignKey("captures.id"), nullable=False),
        sa.Column("observed_at", sa.DateTime(), nullable=False),
        sa.Column("detected", sa.Boolean(), nullable=False),
        sa.Column("kind", sa.String(20)),
        sa.Column("truncated", sa.Boolean(), nullable=False),
        sa.Column("declared", sa.String(20)),
        sa.Column("confidence", sa.Float()),
        sa.Column("not_modified", sa.Boolean(), nullable=False),
        sa.Column("verdict", sa.JSON(), nullable=False),
    )
    op.create_index("ix_verdicts_article_observed", "verdicts", ["article_id", "observed_at"])
    op.execute(VERDICT_HISTORY)
    op.execute(VERDICT_CHANGES)


def downgrade() -> None:
    op.execute("DROP VIEW verdict_changes")
    op.execute("DROP VIEW verdict_history")
    op.drop_table("verdicts")
    op.drop_table("articles")
    op.drop_table("captures")
    op.drop_table("crawls")
