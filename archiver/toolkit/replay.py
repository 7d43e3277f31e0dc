"""Replaying a crawl in pywb, installed in its own virtual environment.

pywb 2.10 pins ``redis<3`` (and old gevent, fakeredis, ...); the crawler's
distributed mode needs scrapy-redis >= 0.9, which needs ``redis>=4``. Installed
into the crawler's environment (an ``[replay]`` extra), pywb would silently
downgrade scrapy-redis, so it lives in a virtual environment of its own
(``archiver replay --install-pywb``), and we talk to it only through its
command-line tools, ``wb-manager`` and ``wayback``, exactly as a researcher would.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

PYWB_REQUIREMENT = "pywb>=2.10,<2.11"
VENV_ENV = "ARCHIVER_PYWB_VENV"
"""Environment variable naming the virtual environment pywb is installed in."""

LOOPBACK = "127.0.0.1"
WAYBACK_LOG = "wayback.log"
"""Where, under the collections' root, ``wayback``'s own output goes (:func:`start_wayback`)."""


class PywbMissing(RuntimeError):
    """pywb is not installed where we look; the message says how to install it."""


@dataclass(frozen=True)
class Pywb:
    """pywb's command-line tools."""

    wb_manager: Path
    wayback: Path


def default_venv() -> Path:
    data = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data) / "news-archiver" / "pywb"


def pywb_venv() -> Path:
    """The virtual environment ``--install-pywb`` installs into."""
    return Path(os.environ.get(VENV_ENV) or default_venv())


def _in_venv(venv: Path) -> Pywb | None:
    tools = Pywb(venv / "bin" / "wb-manager", venv / "bin" / "wayback")
    return tools if tools.wb_manager.is_file() and tools.wayback.is_file() else None


def find_pywb() -> Pywb:
    """pywb from ``$ARCHIVER_PYWB_VENV``, else the default venv, else ``PATH``."""
    named = os.environ.get(VENV_ENV)
    if named:
        tools = _in_venv(Path(named))
        if tools is None:
            raise PywbMissing(f"{VENV_ENV}={named}: no bin/wb-manager and bin/wayback there; "
                              f"install pywb into it: {named}/bin/pip install '{PYWB_REQUIREMENT}'")
        return tools
    tools = _in_venv(default_venv())
    if tools is not None:
        return tools
    wb_manager, wayback = shutil.which("wb-manager"), shutil.which("wayback")
    if wb_manager and wayback:
        return Pywb(Path(wb_manager), Path(wayback))
    raise PywbMissing(
        f"pywb not found (not in {default_venv()}, not on PATH); install it in its own "
        "virtual environment with: archiver replay --install-pywb"
    )


def install_pywb(venv: Path) -> Pywb:
    """Create ``venv`` and install pywb into it (a no-op if it is already there)."""
    tools = _in_venv(venv)
    if tools is not None:
        return tools
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                    PYWB_REQUIREMENT], check=True, timeout=1200)
    tools = _in_venv(venv)
    if tools is None:
        raise PywbMissing(f"{venv}: pip installed {PYWB_REQUIREMENT} but no wayback script")
    return tools


@dataclass(frozen=True)
class Collection:
    root: Path
    name: str

    @property
    def archive(self) -> Path:
        return self.root / "collections" / self.name / "archive"


def build_collection(
    pywb: Pywb, root: Path, name: str, warcs: Sequence[Path]
) -> tuple[Collection, list[Path]]:
    """``wb-manager init`` (once) and ``wb-manager add`` for WARCs not in it yet.

    Returns the collection and the WARCs added this time; running again after a
    new crawl adds only the new files.
    """
    collection = Collection(root, name)
    root.mkdir(parents=True, exist_ok=True)
    if not collection.archive.is_dir():
        _wb_manager(pywb, root, "init", name)
    present = {p.name for p in collection.archive.iterdir()}
    new = [w for w in warcs if w.name not in present]
    if new:
        _wb_manager(pywb, root, "add", name, *(str(w.resolve()) for w in new))
    return collection, new


def _wb_manager(pywb: Pywb, root: Path, *args: str) -> None:
    process = subprocess.run([str(pywb.wb_manager), *args], cwd=root, capture_output=True,
                             text=True, timeout=1800)
    if process.returncode != 0:
        raise RuntimeError(f"wb-manager {' '.join(args[:2])} in {root} failed "
                           f"(exit {process.returncode}): {process.stderr.strip()[-2000:]}")


def port_in_use(port: int) -> bool:
    """Whether something already listens on 127.0.0.1:``port`` (checked before wayback
    starts: it would fail, and the URL we print would show another server's pages)."""
    with socket.socket() as probe:
        try:
            probe.bind((LOOPBACK, port))
        except OSError:
            return True
    return False


def start_wayback(pywb: Pywb, root: Path, port: int) -> subprocess.Popen[bytes]:
    """Start ``wayback`` on 127.0.0.1:``port`` serving the collections under ``root``.

    Its output (a startup banner, and a "no config.yaml" error it prints every
    time, harmlessly) goes to ``ROOT/wayback.log``. It runs in its own session,
    so a terminal's Ctrl-C reaches only us and we stop it cleanly, instead of
    gevent printing a 30-line traceback.
    """
    with open(root / WAYBACK_LOG, "ab") as log:
        return subprocess.Popen([str(pywb.wayback), "-p", str(port), "-b", LOOPBACK], cwd=root,
                                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)


def wait_until_serving(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> bool:
    """Poll ``url`` until wayback answers, it exits, or ``timeout`` seconds pass."""
    # Imported here: every `archiver` command loads this module for `replay`'s
    # --help text, and urllib.request with http.client is 30 ms of their start-up.
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            time.sleep(0.2)
    return False


def replay_url(port: int, collection: str, url: str | None = None) -> str:
    """The collection's search page, or the latest capture of ``url``."""
    base = f"http://{LOOPBACK}:{port}/{collection}/"
    return base + (url or "")
