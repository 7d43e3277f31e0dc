"""Fixtures of the scale-out tests: a Redis frontier and a PostgreSQL catalog."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("scrapy_redis", reason="scrapy-redis not installed (pip install '.[scale]')")

from tests.catalog.test_postgresql import postgres_url  # noqa: F401
from tests.scaleout.services import BUCKET, redis_server, s3, s3_server


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="archiver-redis-") as directory:
        yield from redis_server(Path(directory))


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    yield from s3_server()


@pytest.fixture(scope="module")
def bucket(s3_endpoint: str) -> str:
    s3(s3_endpoint).create_bucket(Bucket=BUCKET)
    return BUCKET
