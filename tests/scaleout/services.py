"""Throwaway services for the scale-out tests, on 127.0.0.1 ports picked free.

``redis-server`` runs in the foreground with no persistence (no RDB, no AOF)
in a temporary directory, and is stopped when the test module ends.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.ports import start_on_free_port

START_TIMEOUT = 20.0
BUCKET = "warc-archive"
CREDENTIALS = ["-s", "AWS_ACCESS_KEY_ID=test", "-s", "AWS_SECRET_ACCESS_KEY=test",
               "-s", "AWS_REGION_NAME=us-east-1"]


def _start_redis(binary: str, directory: Path, port: int) -> subprocess.Popen | None:
    """A redis-server on ``port`` once it answers, or ``None`` if it exited (port taken)."""
    process = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly",
         "no", "--dir", str(directory), "--daemonize", "no", "--loglevel", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while process.poll() is None and time.monotonic() < deadline:
            try:
                client.ping()
                return process
            except redis.ConnectionError:
                time.sleep(0.1)
    finally:
        client.close()
    process.kill()
    process.wait(timeout=30)
    return None


def redis_server(directory: Path) -> Iterator[str]:
    """A throwaway redis-server (no RDB, no AOF); yields its URL, stops it afterwards."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server not installed (Debian: apt-get install redis-server)")
    port, process = start_on_free_port(lambda port: _start_redis(binary, directory, port))
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=30)


def s3_server() -> Iterator[str]:
    """moto's S3-compatible server on a loopback port; yields its endpoint URL."""
    moto_server = pytest.importorskip("moto.server", reason="moto[server] not installed")
    # Port 0: the server binds a free port itself and reports it.
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def s3(endpoint: str):
    """A boto3 client of the test S3 server (moto accepts any credentials)."""
    import boto3

    return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="test",
                        aws_secret_access_key="test", region_name="us-east-1")
