"""Crawl throughput of the archiving pipeline against bare Scrapy, as a ratio."""
