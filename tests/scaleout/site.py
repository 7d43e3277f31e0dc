"""A loopback news site for the scale-out tests: a home, sections, articles."""

from __future__ import annotations

import threading

from archiver.demo.server import Route
from tests.catalog.site import article_page, listing


def news_routes(sections: int = 4, per_section: int = 8, delay: float = 0.0,
                gate: threading.Event | None = None) -> dict[str, Route]:
    """``/`` links every section; each section links its articles (~70 kB pages), each
    answered after ``delay`` seconds (articles only once ``gate`` is set, if given)."""
    routes = {"/": Route(body=listing("Home", [f"/section/{s}" for s in range(sections)]),
                         delay=delay)}
    for s in range(sections):
        articles = [f"/news/2026/11/story-{s}-{i}" for i in range(per_section)]
        routes[f"/section/{s}"] = Route(body=listing(f"Section {s}", articles), delay=delay)
        for i, path in enumerate(articles):
            routes[path] = Route(body=article_page(f"Story {s}.{i}", s * 100 + i), delay=delay,
                                 gate=gate)
    return routes
