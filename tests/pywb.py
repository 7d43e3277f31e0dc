"""pywb for the replay tests: found, or installed into its own venv on first use.

The README's test command must run the whole suite on a fresh machine, real
clients included; pywb cannot go into the test extras (it pins ``redis<3``,
see :mod:`archiver.toolkit.replay`), so the first test that needs it installs
it where ``archiver replay --install-pywb`` would, and later runs find it.
"""

from __future__ import annotations

import subprocess

import pytest

from archiver.toolkit.replay import Pywb, PywbMissing, find_pywb, install_pywb, pywb_venv


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
