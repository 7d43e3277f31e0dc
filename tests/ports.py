"""Test servers on free loopback ports, without the probe-then-bind race.

Asking the kernel for a free port and starting a server on it later leaves a
window in which another process (a parallel test, another agent's crawl) takes
the port. Servers that must be told a port number are therefore started on a
fresh candidate until one comes up; the caller's ``start`` says whether it did.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import TypeVar

Server = TypeVar("Server")
ATTEMPTS = 5


def candidate_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_on_free_port(start: Callable[[int], Server | None]) -> tuple[int, Server]:
    """``start(port)`` returns the running server, or ``None`` when the port was taken."""
    for _ in range(ATTEMPTS):
        port = candidate_port()
        server = start(port)
        if server is not None:
            return port, server
    raise AssertionError(f"no server came up on {ATTEMPTS} free loopback ports")
