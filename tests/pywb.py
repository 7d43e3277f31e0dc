"""pywb for the replay tests: found, or installed into its own venv on first use.

The README's test command must run the whole suite on a fresh machine, real
clients included; pywb cannot go into the test extras (it pins ``redis<3``,
see :mod:`archiver.toolkit.replay`), so the first test that needs it installs
it where ``archiver replay --install-pywb`` would, and later runs find it.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from archiver.toolkit.replay import (
    Pywb,
    PywbMissing,
    find_pywb,
    install_pywb,
    pywb_venv,
    start_wayback,
    wait_until_serving,
)
from tests.ports import start_on_free_port


def pywb_or_skip() -> Pywb:
    try:
        return find_pywb()
    except PywbMissing:
        pass
    venv = pywb_venv()
    try:
        return install_pywb(venv)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, PywbMissing,
            OSError) as error:
        pytest.skip(f"pywb is not installed and could not be installed into {venv} ({error}); "
                    "install it with: archiver replay --install-pywb")


@contextmanager
def running_wayback(pywb: Pywb, root: Path, collection: str) -> Iterator[int]:
    """``wayback`` serving the collections under ``root`` on a free loopback port (yielded),
    stopped afterwards."""

    def start(port: int) -> subprocess.Popen[bytes] | None:
        server = start_wayback(pywb, root, port)
        if wait_until_serving(f"http://127.0.0.1:{port}/{collection}/", server) and (
            server.poll() is None
        ):
            return server
        server.terminate()
        server.wait(timeout=15)
        return None

    port, server = start_on_free_port(start)
    try:
        yield port
    finally:
        server.terminate()
        server.wait(timeout=15)
