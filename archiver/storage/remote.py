"""WARC files named by ``s3://`` URLs, for the toolkit verbs that read WARCs.

``archiver index``, ``reextract`` and ``wacz`` take ``s3://bucket/key`` (one
file) or ``s3://bucket/prefix/`` (every WARC under it) besides local paths.
The objects are downloaded into a temporary directory, removed when the
command ends: the verbs seek and re-read their inputs, which a download
stream cannot do. Endpoint and credentials come from the usual AWS
environment (``AWS_ENDPOINT_URL`` for an S3-compatible server).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from archiver.storage.s3 import SCHEME, S3Location, client
from archiver.toolkit.inputs import WARC_SUFFIXES, InputError

# argparse's ``type=Path`` folds ``s3://b/k`` into ``s3:/b/k`` and drops a trailing slash.
FOLDED_PREFIX = f"{SCHEME}:/"


def s3_url(path: str | Path) -> str | None:
    """The ``s3://`` URL a command-line input names, or ``None`` for a local path."""
    text = str(path)
    if text.startswith(FOLDED_PREFIX) and not text.startswith(FOLDED_PREFIX + "/"):
        return f"{SCHEME}://" + text.removeprefix(FOLDED_PREFIX)
    return text if text.startswith(f"{SCHEME}://") else None


def _keys(s3, location: S3Location) -> list[str]:
    """The object itself if it exists, else the WARC objects under it as a prefix."""
    if location.key.endswith(WARC_SUFFIXES):
        return [location.key]
    prefix = location.key.rstrip("/") + "/" if location.key else ""
    keys: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=location.bucket,
                                                            Prefix=prefix):
        keys += [o["Key"] for o in page.get("Contents", []) if o["Key"].endswith(WARC_SUFFIXES)]
    return sorted(keys)


def download(url: str, directory: Path) -> list[Path]:
    from botocore.exceptions import BotoCoreError, ClientError

    location = S3Location.parse(url)
    s3 = client()
    try:
        keys = _keys(s3, location)
        if not keys:
            raise InputError(f"{url}: no WARC objects (*.warc.gz, *.warc) there")
        copies = []
        for key in keys:
            copy = directory / location.bucket / key
            copy.parent.mkdir(parents=True, exist_ok=True)
            s3.download_file(location.bucket, key, str(copy))
            copies.append(copy)
    except (BotoCoreError, ClientError) as error:
        raise InputError(f"{url}: cannot read it ({error}); check AWS_ENDPOINT_URL and the "
                         "AWS credentials in the environment") from None
    return copies


def with_local_copies(paths: Iterable[str | Path]) -> list[Path]:
    """``paths`` with every ``s3://`` URL replaced by local copies of its WARCs."""
    resolved: list[Path] = []
    directory: Path | None = None
    for path in paths:
        url = s3_url(path)
        if url is None:
            resolved.append(Path(path))
            continue
        if directory is None:
            directory = Path(tempfile.mkdtemp(prefix="archiver-s3-"))
            atexit.register(shutil.rmtree, directory, ignore_errors=True)
        resolved += download(url, directory)
    return resolved
