"""WARC capture: files, records and the Scrapy middleware that writes them."""
