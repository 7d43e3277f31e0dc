"""``archiver reextract`` reads the stylesheets a page links, from the same WARCs.

A loopback site whose soft wall hides the article's last paragraphs with a class of
its linked ``/static/site.css``: the crawl, which judges the page before it fetches
the stylesheet, cannot see it; the verdict re-made from the archive can, and names
the stylesheet and the rule. A free page linking the same stylesheet stays free, and
stylesheets that were never archived change nothing and are listed as missing.
"""

from __future__ import annotations

import json
from io import BytesIO
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archiver.demo.server import Route, serve
from archiver.page import CapturedPage
from archiver.toolkit.captures import scan_warc
from archiver.toolkit.stylesheets import MAX_PAGE_BYTES, MAX_STYLESHEETS, ArchivedStylesheets
from tests.crawling import FAST, CrawlOutput, run_archiver
from tests.toolkit.conftest import read_jsonl

CSS = b"body { font-family: serif; }\n.story p { line-height: 1.5; }\n.locked{display:none}\n"
LOCKED = "/news/2026/12/harbour-fees"
FREE = "/news/2026/12/market-hall"
ABSENT = "/news/2026/12/quay-repairs"
GONE = "/static/print.css"
"""Linked by the third article and not served: archived as a 404, not as a stylesheet."""
OFFSITE = "http://fonts.loopback.invalid/serif.css"
"""Linked by the third article on a host the crawl does not fetch requisites from."""

TEASER = [
    "The harbour board voted on Tuesday night to raise mooring fees for the first time in "
    "eleven years, a decision that fishing families say could push the smallest boats out "
    "of the town for good.",
    "The new fees, which take effect in March, will rise by a third for boats under ten "
    "metres and by half for the larger trawlers that land most of the catch at the market "
    "quay.",
]
REST = [
    "Board members said the increase was needed to pay for the breakwater repairs after "
    "last winter's storms, which cost far more than the insurance paid out and left a hole "
    "in the harbour's accounts.",
    "Skippers who spoke at the meeting said they had not been consulted and that many of "
    "them would not be able to pay. One said he would sell his boat before the spring if "
    "the fees were not reconsidered.",
    "The board's chair said the fees would be reviewed after a year and that a hardship "
    "fund would be set up for boats whose owners could show that the increase had made "
    "their work unprofitable.",
    "The council has asked the board to publish its accounts for the last five years "
    "before the fees take effect, and a public meeting on the decision will be held at the "
    "town hall next month.",
]
# No prompt the page alone decides on ("Subscribe to keep reading" at the wall does since
# session 11): the wall box alone weighs too little, the hidden text behind it decides.
OFFER = ('<div class="paywall-offer"><p>Our reporting is paid for by its readers.</p>'
         '<a href="/subscribe">Subscribe</a></div>')


def _article(title: str, paragraphs: str, links: str = "", after: str = "") -> bytes:
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | The Loopback Ledger</title>
<link rel="stylesheet" href="/static/site.css">{links}
<meta property="og:type" content="article">
<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "NewsArticle",
"headline": "{title}", "datePublished": "2026-12-01T08:00:00Z"}}</script>
</head><body><header><nav><a href="/">The Loopback Ledger</a></nav></header>
<main><article class="story"><h1>{title}</h1>
{paragraphs}</article>{after}</main>
<footer><p>&copy; 2026 The Loopback Ledger</p></footer></body></html>
""".encode()


def _paragraphs(texts: list[str]) -> str:
    return "".join(f"<p>{text}</p>\n" for text in texts)


def site_routes() -> dict[str, Route]:
    home = "".join(f'<li><a href="{path}">story</a></li>' for path in (LOCKED, FREE, ABSENT))
    return {
        "/": Route(f"<html><body><h1>The Loopback Ledger</h1><ul>{home}</ul></body></html>"
                   .encode()),
        "/static/site.css": Route(CSS, content_type=b"text/css"),
        LOCKED: Route(_article(
            "Harbour board raises mooring fees",
            _paragraphs(TEASER) + f'<div class="locked">{_paragraphs(REST)}</div>', after=OFFER)),
        FREE: Route(_article("Market hall reopens", _paragraphs(TEASER + REST))),
        ABSENT: Route(_article(
            "Quay repairs begin", _paragraphs(TEASER + REST),
            links=f'<link rel="stylesheet" href="{GONE}">'
                  f'<link rel="stylesheet" href="{OFFSITE}">')),
    }


def config_yaml(base: str) -> str:
    return f"""\
name: loopledger
title: The Loopback Ledger
region: Test
language: en
home: ["{base}/"]
requisites:
  enabled: true
  types: [stylesheet]
"""


@pytest.fixture(scope="module")
def styled_crawl(tmp_path_factory: pytest.TempPathFactory) -> tuple[CrawlOutput, str]:
    tmp = tmp_path_factory.mktemp("styles")
    sites = tmp / "sites"
    sites.mkdir()
    with serve(site_routes()) as site:
        (sites / "loopledger.yaml").write_text(config_yaml(site.base_url), encoding="utf-8")
        process = run_archiver("crawl", "loopledger", "--sites-dir", str(sites),
                               "--output", str(tmp / "out"), *FAST)
    output = CrawlOutput(tmp / "out", process)
    assert process.returncode == 0, process.stderr[-3000:]
    return output, site.base_url


def _reextract(output: CrawlOutput, tmp_path: Path, *extra: str) -> tuple[str, dict]:
    items = tmp_path / "items.jsonl"
    process = run_archiver("reextract", str(output.directory), "-o", str(items), *extra)
    assert process.returncode == 0, process.stderr
    return process.stdout, {item["url"]: item for item in read_jsonl(items)}


def _hidden_signal(verdict: dict) -> dict | None:
    return next((s for s in verdict["signals"] if s["name"] == "gate.stylesheet_hidden_body"),
                None)


def test_reextract_finds_the_wall_the_linked_stylesheet_hides(styled_crawl, tmp_path: Path):
    output, base = styled_crawl
    crawled = {item["url"]: item for item in output.items()}
    _, again = _reextract(output, tmp_path)
    css_url = base + "/static/site.css"

    judged_live = crawled[base + LOCKED]["paywall"]
    assert not judged_live["detected"] and _hidden_signal(judged_live) is None, judged_live
    assert "stylesheets" not in judged_live, "the crawl's verdict is made from the page alone"
    metadata = {r.header("WARC-Refers-To"): r for r in output.records()
                if r.rec_type == "metadata"}
    recorded = json.loads(metadata[crawled[base + LOCKED]["warc_record_id"]].block)
    assert recorded["verdict"] == judged_live, "the crawl's verdict record stays as it was"

    judged = again[base + LOCKED]["paywall"]
    assert judged["detected"] and judged["kind"] == "soft", judged
    assert not judged["truncated"]
    assert judged["stylesheets"] == {"read": [css_url], "missing": [], "skipped": []}
    evidence = _hidden_signal(judged)["evidence"]
    assert css_url in evidence and ".locked{display:none}" in evidence, evidence
    assert judged["confidence"] > 0 and judged["visible_words"] == judged_live["visible_words"]

    # The stylesheet named is the archive's own capture of it, byte for byte.
    sheets = [r for r in output.records()
              if r.rec_type == "response" and r.target == css_url]
    assert len(sheets) == 1 and sheets[0].payload == CSS
    assert sheets[0].first_line.endswith(b"200 OK")


def test_a_free_page_linking_the_same_stylesheet_stays_free(styled_crawl, tmp_path: Path):
    output, base = styled_crawl
    crawled = {item["url"]: item for item in output.items()}
    _, again = _reextract(output, tmp_path)
    judged = again[base + FREE]["paywall"]
    assert not judged["detected"] and _hidden_signal(judged) is None, judged
    assert judged["stylesheets"]["read"] == [base + "/static/site.css"]
    without = {k: v for k, v in judged.items() if k != "stylesheets"}
    assert without == crawled[base + FREE]["paywall"]


def test_stylesheets_absent_from_the_archive_are_listed_and_change_nothing(styled_crawl,
                                                                         tmp_path: Path):
    output, base = styled_crawl
    assert not [r for r in output.records() if r.target == OFFSITE], "never fetched"
    gone = [r for r in output.records() if r.rec_type == "response"
            and r.target == base + GONE]
    assert all(not r.first_line.endswith(b"200 OK") for r in gone)
    crawled = {item["url"]: item for item in output.items()}
    stdout, again = _reextract(output, tmp_path)
    judged = again[base + ABSENT]["paywall"]
    assert judged["stylesheets"] == {"read": [base + "/static/site.css"],
                                     "missing": [base + GONE, OFFSITE], "skipped": []}
    without = {k: v for k, v in judged.items() if k != "stylesheets"}
    assert without == crawled[base + ABSENT]["paywall"]
    assert ", 2 linked stylesheets not in the WARCs" in stdout


def test_no_stylesheets_judges_the_page_alone_as_the_crawl_did(styled_crawl, tmp_path: Path):
    output, _ = styled_crawl
    crawled = {item["url"]: item for item in output.items()}
    _, again = _reextract(output, tmp_path, "--no-stylesheets")
    assert again.keys() == crawled.keys()
    for url, item in crawled.items():
        assert again[url]["paywall"] == item["paywall"], url


def _write_warc(path: Path, records: list[tuple[str, str, bytes, bytes]]) -> None:
    """(URL, WARC-Date, Content-Type, body) responses, in this order."""
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for url, date, kind, body in records:
            http = StatusAndHeaders("200 OK", [("Content-Type", kind.decode())],
                                    protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                url, "response", payload=BytesIO(body), http_headers=http,
                warc_headers_dict={"WARC-Date": date}))


PAGE = (b'<html><head><link rel="stylesheet" href="/site.css"></head>'
        b'<body><p>Text</p></body></html>')


@pytest.mark.parametrize(("page_date", "expected"), [
    ("2026-12-02T09:50:00Z", b".a{color:red}"), ("2026-12-02T11:50:00Z", b"@import")])
def test_the_capture_nearest_in_time_is_read_with_its_imports(tmp_path: Path, page_date: str,
                                                              expected: bytes):
    warc = tmp_path / "styles.warc.gz"
    _write_warc(warc, [
        ("http://127.0.0.1/site.css", "2026-12-02T09:00:00Z", b"text/css", b".a{color:red}"),
        ("http://127.0.0.1/site.css", "2026-12-02T12:00:00Z", b"text/css",
         b'@import "css/more.css";\n.a{color:blue}'),
        ("http://127.0.0.1/css/more.css", "2026-12-02T12:00:01Z", b"text/css; charset=utf-8",
         b".locked{display:none}"),
        ("http://127.0.0.1/page", page_date, b"text/html", PAGE),
    ])
    entries, damage = scan_warc(warc)
    assert not damage
    archive = ArchivedStylesheets(entries)
    assert set(archive.by_url) == {"http://127.0.0.1/site.css", "http://127.0.0.1/css/more.css"}
    page = CapturedPage(url="http://127.0.0.1/page", body=PAGE)
    found = archive.of_page(page, page_date)
    assert found.sheets[0].text.encode().startswith(expected)
    if expected == b"@import":
        assert [s.url for s in found.sheets] == ["http://127.0.0.1/site.css",
                                                 "http://127.0.0.1/css/more.css"]
        assert found.sheets[1].text == ".locked{display:none}"
    else:
        assert len(found.sheets) == 1
    assert found.missing == found.skipped == []


def test_the_lookups_of_a_page_are_bounded(tmp_path: Path):
    """Past ``MAX_STYLESHEETS`` links, the rest are skipped and listed, not read; so is a
    sheet past the page's ``MAX_PAGE_BYTES``."""
    links = "".join(f'<link rel="stylesheet" href="/s{n}.css">'
                    for n in range(MAX_STYLESHEETS + 3))
    body = f"<html><head>{links}</head></html>".encode()
    found = ArchivedStylesheets([]).of_page(CapturedPage(url="http://127.0.0.1/a", body=body),
                                            "2026-12-02T10:00:00Z")
    urls = [f"http://127.0.0.1/s{n}.css" for n in range(MAX_STYLESHEETS + 3)]
    assert found.record() == {"read": [], "missing": urls[:MAX_STYLESHEETS],
                              "skipped": urls[MAX_STYLESHEETS:]}

    warc = tmp_path / "big.warc.gz"
    big = b"/*" + b"x" * MAX_PAGE_BYTES + b"*/"
    _write_warc(warc, [("http://127.0.0.1/s0.css", "2026-12-02T10:00:00Z", b"text/css", big),
                       ("http://127.0.0.1/s1.css", "2026-12-02T10:00:00Z", b"text/css",
                        b".x{}")])
    found = ArchivedStylesheets(scan_warc(warc)[0]).of_page(
        CapturedPage(url="http://127.0.0.1/a", body=body), "2026-12-02T10:00:00Z")
    record = found.record()
    assert record["read"] == [urls[1]] and record["skipped"][0] == urls[0]
