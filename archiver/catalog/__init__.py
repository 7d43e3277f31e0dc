"""The catalog: every run, capture, article and paywall verdict, in one database.

SQLite at ``DIR/catalog.sqlite`` by default, any SQLAlchemy URL (PostgreSQL
for several crawl machines) with ``ARCHIVER_CATALOG_URL``. It is the digest
index for deduplication and the source of conditional-request validators.
"""
