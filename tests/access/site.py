"""A loopback news site that stops honouring a subscription halfway through a crawl.

The first ``free`` article requests get the full article, every later one the
paywalled teaser: a session that expired mid-crawl. There are many more articles
than pages a crawl downloads ahead of its verdicts, so stopping shows. The server records the
order it served articles in and the ``Cookie`` header of each request.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from archiver.demo.server import LOOPBACK
from tests.catalog.site import article_page
from tests.render.site import article

ARTICLES = 40


@dataclass
class GatingLog:
    free: int
    served: list[tuple[str, bool]] = field(default_factory=list)
    """(path, gated) of every article request, in order."""
    cookies: list[str] = field(default_factory=list)

    @property
    def first_gated(self) -> str:
        return next(path for path, gated in self.served if gated)


def _handler(log: GatingLog, lock: threading.Lock) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the gating log records what matters."""

        def do_GET(self) -> None:
            log.cookies.append(self.headers.get("Cookie", ""))
            if self.path.startswith("/news/2026/11/story-"):
                with lock:
                    gated = len(log.served) >= log.free
                    log.served.append((self.path, gated))
                title, seed = f"Story {self.path[-2:]}", len(log.served)
                body = article_page(title, seed, paywalled=True) if gated else article(title, seed)
            elif self.path == "/":
                body = "".join(f'<p><a href="/news/2026/11/story-{n:02d}">Story {n}</a></p>'
                               for n in range(ARTICLES)).encode()
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextmanager
def gating_site(free: int) -> Iterator[tuple[str, GatingLog]]:
    log = GatingLog(free)
    server = ThreadingHTTPServer((LOOPBACK, 0), _handler(log, threading.Lock()))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              daemon=True)
    thread.start()
    timer = threading.Timer(600, server.shutdown)
    timer.daemon = True
    timer.start()
    try:
        yield f"http://{LOOPBACK}:{server.server_address[1]}", log
    finally:
        timer.cancel()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
