"""The test suite's network guard: nothing a test starts may leave loopback.

Set before any test runs, the variable is inherited by every ``python -m
archiver`` a test starts and read by the address policy
(:mod:`archiver.netpolicy`), which then refuses any host that is not a loopback
address, before a DNS query is sent.
"""

import os

from archiver.netpolicy import LOOPBACK_ONLY_ENV

os.environ[LOOPBACK_ONLY_ENV] = "1"
