"""Rendered capture: each article as a reader's browser showed it, next to the wire bytes.

``archiver crawl --render`` (``ARCHIVER_RENDER``) or a site config's
``render: articles`` renders article pages in the system's Chromium after their
raw capture: ``browser`` (launching Debian's Chromium through Playwright),
``page`` (one render: requests answered from Scrapy, consent banners, the
in-page probe, DOM and screenshot), ``consent`` (``data/consent.yaml``) and
``extension`` (the Scrapy extension: records, verdict, stats). Needs the
``render`` extra: ``pip install 'news-archiver[render]'``.
"""
