"""The toolkit tests' crawl of a small loopback news site, shared with the client tests."""

from tests.toolkit.conftest import site_crawl

__all__ = ["site_crawl"]
