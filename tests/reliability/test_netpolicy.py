"""The address policy: no public page leads the crawler to private addresses, and no test
leaves loopback."""

from __future__ import annotations

import asyncio
import ipaddress
import json
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.test import get_crawler

from archiver.demo.server import Route, serve
from archiver.netpolicy import LOOPBACK_ONLY_ENV, AddressPolicyMiddleware, address_kind
from tests.catalog.site import catalog_rows, listing
from tests.crawling import crawl, run_archiver

PUBLIC = "http://93.184.216.34/news/"  # a literal address: no DNS query in these tests


@pytest.mark.parametrize(("address", "kind"), [
    ("127.0.0.1", "loopback"), ("::1", "loopback"), ("10.1.2.3", "private"),
    ("192.168.0.1", "private"), ("172.16.5.4", "private"), ("fd12::1", "private"),
    ("169.254.169.254", "cloud-metadata"), ("fd00:ec2::254", "cloud-metadata"),
    ("169.254.10.10", "link-local"), ("fe80::1", "link-local"), ("100.64.0.1", "reserved"),
    ("0.0.0.0", "private"), ("93.184.216.34", "public"), ("2606:4700::1111", "public"),
])
def test_address_kinds(address: str, kind: str):
    assert address_kind(ipaddress.ip_address(address)) == kind


def policy(monkeypatch, **settings) -> AddressPolicyMiddleware:
    """The operators' policy: the test suite's loopback guard lifted for this process."""
    monkeypatch.delenv(LOOPBACK_ONLY_ENV, raising=False)
    return AddressPolicyMiddleware(get_crawler(settings_dict=settings))


def admitted(middleware: AddressPolicyMiddleware, request: Request) -> bool:
    try:
        asyncio.run(middleware.process_request(request))
    except IgnoreRequest:
        return False
    return True


def linked(url: str, source: str) -> Request:
    return Request(url, headers={"Referer": source}, meta={"depth": 1})


def redirected(url: str, source: str) -> Request:
    return Request(url, meta={"redirect_urls": [source], "depth": 0})


@pytest.mark.parametrize("target", ["http://127.0.0.1:6379/", "http://10.0.0.8/admin",
                                    "http://169.254.169.254/latest/meta-data/",
                                    "http://[fe80::1]/", "http://[::1]:8080/"])
def test_links_and_redirects_from_a_public_host_to_private_addresses_are_refused(
    monkeypatch, target: str
):
    middleware = policy(monkeypatch)
    assert not admitted(middleware, linked(target, PUBLIC))
    assert not admitted(middleware, redirected(target, PUBLIC))
    assert not admitted(middleware, Request(target, meta={"depth": 2})), "source unknown"
    assert middleware.stats.get_value("archiver/netpolicy/refused") == 3
    assert admitted(policy(monkeypatch, ARCHIVER_ALLOW_PRIVATE_ADDRESSES=True),
                    linked(target, PUBLIC))


def test_start_urls_and_pages_of_private_hosts_may_lead_to_private_addresses(monkeypatch):
    middleware = policy(monkeypatch)
    assert admitted(middleware, Request("http://127.0.0.1:8000/", meta={"depth": 0}))
    assert admitted(middleware, linked("http://10.0.0.8/b", "http://10.0.0.8/a"))
    assert admitted(middleware, redirected("http://127.0.0.1/b", "http://127.0.0.1/a"))
    assert admitted(middleware, linked("http://93.184.216.34/b", PUBLIC))


def test_the_test_suite_guard_refuses_every_host_beyond_loopback(tmp_path: Path):
    """Start URLs and links to real hosts, with private addresses allowed: all refused."""
    routes = {"/": Route(body=listing("Home", ["/local", "http://example.org/news/far"]))}
    with serve(routes) as site:
        result = crawl(site.base_url + "/", tmp_path, "--url", "http://example.org/",
                       "--url", "http://192.0.2.7/", "--crawl-id", "guarded",
                       "-s", "ARCHIVER_ALLOW_PRIVATE_ADDRESSES=1")
        asked = site.log.paths()
    assert result.process.returncode == 0, result.process.stderr[-3000:]
    assert "/local" in asked
    stats = json.loads(catalog_rows(tmp_path, "SELECT stats FROM crawls")[0][0])
    assert stats["archiver/netpolicy/refused"] == 3
    assert "example.org is not a loopback address" in result.process.stderr
    assert "192.0.2.7 is not a loopback address" in result.process.stderr
    assert not any("example.org" in record.target or "192.0.2.7" in record.target
                   for record in result.records() if record.target)


def test_the_guard_stops_a_crawl_of_a_real_site_before_any_packet(tmp_path: Path):
    run = run_archiver("crawl", "--url", "https://www.example.org/", "--output", str(tmp_path),
                       "-s", "RETRY_TIMES=0")
    assert "www.example.org is not a loopback address" in run.stderr
    stats = json.loads(catalog_rows(tmp_path, "SELECT stats FROM crawls")[0][0])
    assert "downloader/request_count" not in stats, "nothing was sent"
