"""A self-stopping loopback HTTP server that sends exactly the bytes it is told to.

The demo and the tests need a site that behaves like real news servers do on
the wire: gzip and chunked bodies, repeated and latin-1 headers, redirects and
errors. ``http.server`` would add its own headers and encodings, so each route
is written to the socket by hand. The server only binds 127.0.0.1 and shuts
itself down after ``lifetime`` seconds whatever happens.
"""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOOPBACK = "127.0.0.1"


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

    def wire_body(self) -> bytes:
        return gzip.compress(self.body, mtime=0) if self.gzip else self.body


@dataclass
class RequestLog:
    """Every request line and its headers, in arrival order (for assertions)."""

    entries: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)

    def paths(self) -> list[str]:
        return [path for _, path, _ in self.entries]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _SiteServer

    def log_message(self, format: str, *args: object) -> None:
        """Silence the per-request stderr lines; the request log records them."""

    def _answer(self, include_body: bool) -> None:
        self.server.log.entries.append((self.command, self.path, dict(self.headers.items())))
        route = self.server.routes.get(self.path) or Route(
            body=b"<html><body><h1>Not found</h1></body></html>", status=404
        )
        reason = route.reason or HTTPStatus(route.status).phrase.encode()
        body = route.wire_body()
        head = [b"HTTP/1.1 %d %s" % (route.status, reason)]
        head.append(b"Content-Type: " + route.content_type)
        if route.gzip:
            head.append(b"Content-Encoding: gzip")
        head += [name + b": " + value for name, value in route.headers]
        if route.chunked:
            head.append(b"Transfer-Encoding: chunked")
        else:
            head.append(b"Content-Length: %d" % len(body))
        self.wfile.write(b"\r\n".join(head) + b"\r\n\r\n")
        if include_body:
            self.wfile.write(_chunk(body) if route.chunked else body)
        elif route.chunked:
            self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

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


@dataclass
class RunningSite:
    base_url: str
    log: RequestLog
    port: int


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
        yield RunningSite(base_url=f"http://{LOOPBACK}:{port}", log=server.log, port=port)
    finally:
        timer.cancel()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
