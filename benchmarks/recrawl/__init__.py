"""Cost of an incremental recrawl against the first crawl of a site."""
