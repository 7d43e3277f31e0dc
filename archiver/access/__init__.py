"""Subscriber crawls: the operator's cookies in, and an alarm when access is lost.

``cookies`` reads the login an operator exported (Netscape ``cookies.txt`` or a
Playwright/browser storage state); ``expectation`` stops a site whose captures
keep coming back gated although the crawl expects full access.
"""
