"""Many workers on one shared frontier: scrapy-redis, wrapped for Scrapy 2.19.

``archiver seed --frontier redis://...`` clears the frontier and puts a run's
seeds and description into Redis; every ``archiver crawl --frontier ...``
worker then takes requests from the shared priority queue, marks what it found
in the shared duplicate filter, spaces its requests to a site by a rate limit
kept in Redis, and stops once the frontier has stayed empty for
``ARCHIVER_FRONTIER_IDLE_CLOSE`` seconds.
"""
