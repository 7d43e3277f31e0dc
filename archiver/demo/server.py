"""A self-stopping loopback HTTP server that sends exactly the bytes it is told to.

The demo and the tests need a site that behaves like real news servers do on
the wire: gzip and chunked bodies, repeated and latin-1 headers, redirects and
errors. ``http.server`` would add its own headers and encodings, so each route
is written to the socket by hand. The server only binds 127.0.0.1 and shuts
itself down after ``lifetime`` seconds whatever happens.
"""

from __future__ import annotations

import gzip
import socket
import struct
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

LOOPBACK = "127.0.0.1"
GATE_WAIT = 150.0


@dataclass
class Route:
    """What one path answers, byte for byte."""

    body: bytes = b""
    status: int = 200
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    content_type: bytes = b"text/html; charset=utf-8"
    gzip: bool = False
    chunked: bool = False
    reason: bytes | None = None
    etag: bytes | None = None
    last_modified: bytes | None = None
    delay: float = 0.0
    gate: threading.Event | None = None
    """Held until this event is set (at most ``GATE_WAIT`` seconds): lets a test keep
    responses back until the crawl has reached a state, instead of guessing a delay."""
    fault: str | None = None
    """A server fault after ``cut_at`` body bytes: ``reset`` (TCP RST after ``fault_seconds``),
    ``stall`` (silence for ``fault_seconds``, then close) or ``drip`` (the rest a byte every
    ``fault_seconds``)."""
    cut_at: int = 0
    fault_seconds: float = 0.0

    def wire_body(self) -> bytes:
        return gzip.compress(self.body, mtime=0) if self.gzip else self.body

    def validators(self) -> list[tuple[bytes, bytes]]:
        """``ETag``/``Last-Modified`` headers, sent with the page and with a 304."""
        pairs = [(b"ETag", self.etag)] if self.etag else []
        return pairs + ([(b"Last-Modified", self.last_modified)] if self.last_modified else [])

    def not_modified(self, headers: Mapping[str, str]) -> bool:
        """Does a conditional request match (RFC 9110: If-None-Match wins)?"""
        if_none_match = headers.get("If-None-Match")
        if if_none_match is not None:
            tags = {tag.strip() for tag in if_none_match.split(",")}
            return self.etag is not None and (self.etag.decode() in tags or "*" in tags)
        since = headers.get("If-Modified-Since")
        return since is not None and self.last_modified is not None and (
            since == self.last_modified.decode()
        )


@dataclass
class RequestLog:
    """Every request line and its headers, in arrival order, and the most requests ever
    being answered at once (for assertions on politeness)."""

    entries: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def paths(self) -> list[str]:
        return [path for _, path, _ in self.entries]

    def begin(self) -> None:
        with self.lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def end(self) -> None:
        with self.lock:
            self.in_flight -= 1


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle's algorithm on, the body
    # waits for the client's delayed ACK of the headers, 40 ms per keep-alive response
    # (wget fetched 19 pages/s from this server, 600 with TCP_NODELAY).
    disable_nagle_algorithm = True
    server: _SiteServer

    def log_message(self, format: str, *args: object) -> None:
        """Silence the per-request stderr lines; the request log records them."""

    def _answer(self, include_body: bool) -> None:
        self.server.log.entries.append((self.command, self.path, dict(self.headers.items())))
        self.server.log.begin()
        try:
            self._respond(include_body)
        finally:
            self.server.log.end()

    def _respond(self, include_body: bool) -> None:
        route = self.server.routes.get(self.path) or Route(
            body=b"<html><body><h1>Not found</h1></body></html>", status=404
        )
        if route.gate is not None:
            route.gate.wait(GATE_WAIT)
        time.sleep(route.delay)
        if route.not_modified(self.headers):
            head = [b"HTTP/1.1 304 Not Modified", *(n + b": " + v for n, v in route.validators())]
            self.wfile.write(b"\r\n".join(head) + b"\r\n\r\n")
            self.wfile.flush()
            return
        reason = route.reason or HTTPStatus(route.status).phrase.encode()
        body = route.wire_body()
        head = [b"HTTP/1.1 %d %s" % (route.status, reason)]
        head.append(b"Content-Type: " + route.content_type)
        if route.gzip:
            head.append(b"Content-Encoding: gzip")
        head += [name + b": " + value for name, value in route.headers + route.validators()]
        if route.chunked:
            head.append(b"Transfer-Encoding: chunked")
        else:
            head.append(b"Content-Length: %d" % len(body))
        self.wfile.write(b"\r\n".join(head) + b"\r\n\r\n")
        if include_body and route.fault:
            self._fault(route, _chunk(body) if route.chunked else body)
            return
        if include_body:
            self.wfile.write(_chunk(body) if route.chunked else body)
        elif route.chunked:
            self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _fault(self, route: Route, wire: bytes) -> None:
        self.wfile.write(wire[: route.cut_at])
        self.wfile.flush()
        if route.fault == "drip":
            try:
                for offset in range(route.cut_at, len(wire)):
                    time.sleep(route.fault_seconds)
                    self.wfile.write(wire[offset : offset + 1])
                    self.wfile.flush()
            except OSError:  # the client gave up: the point of a drip
                self.close_connection = True
            return
        # A stall's silence; before a reset, time for the client to read what was sent
        # (an RST discards data still unread in the client's receive buffer).
        time.sleep(route.fault_seconds)
        if route.fault == "reset":  # SO_LINGER 0 makes close() send RST instead of FIN
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def do_GET(self) -> None:
        self._answer(include_body=True)

    def do_HEAD(self) -> None:
        self._answer(include_body=False)


def _chunk(body: bytes, size: int = 1000) -> bytes:
    parts = [b"%x\r\n%s\r\n" % (len(body[i : i + size]), body[i : i + size])
             for i in range(0, len(body), size)]
    return b"".join(parts) + b"0\r\n\r\n"


class _SiteServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, routes: Mapping[str, Route]) -> None:
        super().__init__((LOOPBACK, 0), _Handler)
        self.routes = dict(routes)
        self.log = RequestLog()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up mid-answer (wget stopped at its time box, a crawl
        closing with requests in flight) is not the site's fault: socketserver's
        default printed a 20-line traceback for each one into the demo's and the
        benchmarks' console. Anything else is still printed."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


@dataclass
class RunningSite:
    base_url: str
    log: RequestLog
    port: int
    routes: dict[str, Route] = field(default_factory=dict)


@contextmanager
def serve(routes: Mapping[str, Route], lifetime: float = 600.0) -> Iterator[RunningSite]:
    """Serve ``routes`` on 127.0.0.1 (free port) until the block ends or ``lifetime``."""
    server = _SiteServer(routes)
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              daemon=True)
    thread.start()
    timer = threading.Timer(lifetime, server.shutdown)
    timer.daemon = True
    timer.start()
    try:
        yield RunningSite(base_url=f"http://{LOOPBACK}:{port}", log=server.log, port=port,
                          routes=server.routes)
    finally:
        timer.cancel()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
