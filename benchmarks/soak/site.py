"""A large loopback site whose server misbehaves at random, reproducibly.

``/`` lists hub pages, each hub lists ``PER_HUB`` pages ``/p/N``; every body is
unique (no identical-payload revisits blur the count). Each page draws its fault
from a seeded generator: transient faults (a reset mid-body, a stall longer than
the crawl's timeout, a 503) hit the first attempt only, so a retry succeeds;
permanent ones (a 503 or a reset on every attempt) fail for good; a truncated
gzip body is served the same way every time, a complete HTTP exchange with a
broken payload. The plan is known in advance, so the benchmark can say which
pages must end up archived and which failed.
"""

from __future__ import annotations

import gzip
import random
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOOPBACK = "127.0.0.1"
PER_HUB = 100
FAULTS = {  # share of pages
    "reset-once": 0.03,
    "stall-once": 0.01,
    "503-once": 0.03,
    "gzip-cut": 0.02,
    "503-always": 0.005,
    "reset-always": 0.005,
}
PERMANENT = frozenset({"503-always", "reset-always"})


def fault_plan(pages: int, seed: int = 13) -> dict[int, str]:
    """Which page gets which fault (pages without one are absent)."""
    rng = random.Random(seed)
    plan = {}
    for page in range(pages):
        draw, edge = rng.random(), 0.0
        for fault, share in FAULTS.items():
            edge += share
            if draw < edge:
                plan[page] = fault
                break
    return plan


def page_body(page: int) -> bytes:
    words = " ".join(f"w{(page * 7919 + n) % 100003}" for n in range(300))
    return (f"<!DOCTYPE html><html><head><title>Page {page}</title></head><body>"
            f"<h1>Page {page}</h1><p>{words}</p></body></html>").encode()


def listing(title: str, links: list[str]) -> bytes:
    items = "".join(f'<li><a href="{link}">{link}</a></li>' for link in links)
    return f"<html><head><title>{title}</title></head><body><ul>{items}</ul></body></html>".encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _SoakServer

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: 20,000 pages."""

    def _send(self, status: int, body: bytes, extra: list[str] = ()) -> None:
        head = [f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}",
                "Content-Type: text/html; charset=utf-8", f"Content-Length: {len(body)}",
                *extra]
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)

    def do_GET(self) -> None:
        site = self.server
        path = self.path
        if path == "/":
            return self._send(200, listing("Home", [f"/hub/{h}" for h in range(site.hubs)]))
        if path.startswith("/hub/"):
            hub = int(path.removeprefix("/hub/"))
            pages = range(hub * PER_HUB, min(site.pages, (hub + 1) * PER_HUB))
            return self._send(200, listing(f"Hub {hub}", [f"/p/{p}" for p in pages]))
        if not path.startswith("/p/"):
            return self._send(404, b"not found")
        page = int(path.removeprefix("/p/"))
        with site.lock:
            site.attempts[page] += 1
            attempt = site.attempts[page]
        fault = site.plan.get(page, "")
        body = page_body(page)
        if fault == "gzip-cut":
            wire = gzip.compress(body, mtime=0)[:400]
            return self._send(200, wire, ["Content-Encoding: gzip"])
        if fault.endswith("always") or attempt == 1:
            if fault.startswith("503"):
                return self._send(503, b"busy")
            if fault.startswith("reset"):
                return self._reset(body)
            if fault == "stall-once":
                time.sleep(site.stall_seconds)
                self.close_connection = True
                return None
        return self._send(200, body)

    def _reset(self, body: bytes) -> None:
        head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        self.wfile.write(head + body[: len(body) // 2])
        self.wfile.flush()
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()


class _SoakServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def handle_error(self, request: object, client_address: object) -> None:
        """Quiet: the crawler closes connections it gave up on (timeouts, cut bodies)."""

    def __init__(self, pages: int, stall_seconds: float) -> None:
        super().__init__((LOOPBACK, 0), _Handler)
        self.pages = pages
        self.hubs = -(-pages // PER_HUB)
        self.plan = fault_plan(pages)
        self.stall_seconds = stall_seconds
        self.attempts: Counter[int] = Counter()
        self.lock = threading.Lock()


@dataclass
class SoakSite:
    base_url: str
    pages: int
    plan: dict[int, str]
    attempts: Counter[int]


@contextmanager
def serve_soak(pages: int, stall_seconds: float) -> Iterator[SoakSite]:
    server = _SoakServer(pages, stall_seconds)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              daemon=True)
    thread.start()
    try:
        yield SoakSite(f"http://{LOOPBACK}:{server.server_address[1]}", pages, server.plan,
                       server.attempts)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
