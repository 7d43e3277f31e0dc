"""The bundled demo news site: files and a route table in ``site/``.

It has what the crawler must handle on a real regional site: free articles,
one paywalled article truncated after four paragraphs, gzip and chunked pages,
a redirect, a dead link (404), a query string, a robots.txt-forbidden path and
a "Subscribe" button on every page.
"""

from __future__ import annotations

import json
from importlib.resources import files

from archiver.demo.server import Route

SITE_PACKAGE = "archiver.demo"


def demo_routes() -> dict[str, Route]:
    site = files(SITE_PACKAGE).joinpath("site")
    table = json.loads(site.joinpath("routes.json").read_text(encoding="utf-8"))
    routes = {}
    for path, spec in table.items():
        body = site.joinpath(spec["file"]).read_bytes() if "file" in spec else b""
        routes[path] = Route(
            body=body,
            status=spec.get("status", 200),
            headers=[(n.encode(), v.encode()) for n, v in spec.get("headers", [])],
            content_type=spec.get("content_type", "text/html; charset=utf-8").encode(),
            gzip=spec.get("gzip", False),
            chunked=spec.get("chunked", False),
        )
    return routes
