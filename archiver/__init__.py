"""A paywall-aware Scrapy crawler that archives news as WARC 1.1 captures."""

__version__ = "0.1.0"
