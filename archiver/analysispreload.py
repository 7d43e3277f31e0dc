"""What the analysis pool's fork server loads once, before it forks any worker.

The pool's workers are forked by a fork server (:mod:`archiver.analysispool`),
a clean single-threaded process that imports this module first
(``set_forkserver_preload``). Importing it imports the analysers and runs one
small article through them, so the word lists, weights, compiled prompt tries
and trafilatura's own set-up are made once a crawl, here, not once a worker:
each worker is forked with them already in memory (shared copy-on-write). A
spawned worker paid them itself, on its first page: about 0.75 s of CPU against a
median page of 42 ms (fundus, one process, idle).

The crawling process never imports this module.
"""

from __future__ import annotations

import gc

from archiver import analysisworker  # noqa: F401 - the pool's initializer and task runner
from archiver.page import CapturedPage
from archiver.pageanalysis import analyse_page

_PARAGRAPH = (b"<p>The harbour storm broke the old pier in the night, and the boats "
              b"that were moored along it drifted out into the bay before dawn.</p>")
WARM_UP = CapturedPage(
    "https://example.org/news/2026/12/02/the-harbour-storm-broke-the-pier",
    b'<html lang="en"><head><title>Storm</title><script type="application/ld+json">'
    b'{"@type": "NewsArticle", "headline": "Storm"}</script></head><body><article>'
    + _PARAGRAPH * 8
    + b'</article><div class="paywall">Subscribe to continue reading.</div></body></html>',
    headers={"content-type": ["text/html; charset=utf-8"]},
)
"""An article with a prompt after its body: every analyser runs on it (extraction,
each detection rule, the prompt classifier on a hit), so what they load and
compile on first use is loaded and compiled here."""

analyse_page(WARM_UP)
# Out of the cyclic GC before the forks (as gc.freeze's documentation advises): a
# worker's collections then neither walk these objects nor write to their pages,
# which would copy the pages the workers share.
gc.collect()
gc.freeze()
