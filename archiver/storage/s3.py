"""S3 locations and clients: one place that knows ``s3://bucket/key`` and boto3's set-up.

Endpoint, credentials and region come from Scrapy's own ``AWS_*`` settings
when a crawl sets them (``AWS_ENDPOINT_URL`` selects an S3-compatible server),
otherwise from the usual AWS environment and files, which boto3 reads itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

SCHEME = "s3"
# Scrapy setting -> boto3 client argument (Scrapy's S3 feed storage uses the same names).
CLIENT_SETTINGS = {
    "AWS_ENDPOINT_URL": "endpoint_url",
    "AWS_ACCESS_KEY_ID": "aws_access_key_id",
    "AWS_SECRET_ACCESS_KEY": "aws_secret_access_key",
    "AWS_SESSION_TOKEN": "aws_session_token",
    "AWS_REGION_NAME": "region_name",
}


class S3URLError(ValueError):
    """A value that should be an ``s3://bucket/prefix`` URL and is not."""


@dataclass(frozen=True)
class S3Location:
    bucket: str
    key: str

    @classmethod
    def parse(cls, url: str) -> S3Location:
        parts = urlsplit(url)
        if parts.scheme != SCHEME or not parts.netloc:
            raise S3URLError(f"{url!r}: not an S3 URL, e.g. s3://bucket/warcs/")
        return cls(parts.netloc, parts.path.lstrip("/"))

    @property
    def url(self) -> str:
        return f"{SCHEME}://{self.bucket}/{self.key}"

    def child(self, name: str) -> S3Location:
        """``name`` under this location taken as a prefix (``s3://b/warcs/`` + name)."""
        prefix = self.key if not self.key or self.key.endswith("/") else self.key + "/"
        return S3Location(self.bucket, prefix + name)


def is_s3_url(value: str) -> bool:
    return value.startswith(f"{SCHEME}://")


def client(settings: Any = None, attempts: int | None = None) -> Any:
    """A boto3 S3 client; ``attempts`` bounds botocore's own retries (standard mode)."""
    import boto3
    from botocore.config import Config

    kwargs = {arg: settings.get(name) for name, arg in CLIENT_SETTINGS.items()
              if settings is not None and settings.get(name)}
    config = Config(retries={"mode": "standard", "max_attempts": attempts}) if attempts else None
    return boto3.client("s3", config=config, **kwargs)


def read_range(client: Any, url: str, offset: int, length: int) -> bytes:
    """``length`` bytes of the object at ``url`` from ``offset`` (one ranged GET).

    Raises :class:`OSError` for anything S3 or the connection says, so callers
    that read local files handle both alike.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    location = S3Location.parse(url)
    try:
        body = client.get_object(Bucket=location.bucket, Key=location.key,
                                 Range=f"bytes={offset}-{offset + length - 1}")["Body"]
        return body.read()
    except (BotoCoreError, ClientError) as error:
        raise OSError(f"{url}: {error}") from error
