"""Signals of the archiver, sent through Scrapy's signal manager (``crawler.signals``)."""

warc_file_closed = object()
"""A WARC file is complete and renamed from ``.open``; sent with ``path`` (its final path).

Sent by the capture middleware, on rotation and when the spider closes; the
WARC uploader (:mod:`archiver.storage.upload`) listens.
"""
