"""``archiver crawl --render``: wire bytes first, then what a reader's browser showed."""

from __future__ import annotations

import gzip
import io
import struct
import urllib.request
from pathlib import Path

import pytest

from archiver.paywall.rendered import HiddenText, Overlay, RenderedFacts, find_rendered_signals
from archiver.render.browser import DEFAULT_BROWSERS, RenderUnavailable, chromium_path
from archiver.toolkit.replay import (
    build_collection,
)
from tests.crawling import deflate_block_type, run_archiver
from tests.pywb import pywb_or_skip, running_wayback
from tests.render.conftest import (
    SCREENSHOT_HEIGHT,
    RenderedCrawl,
    rendered_crawl_of,
    require_rendering,
)
from tests.render.site import MARKER, OFFSITE_IMAGE, OVERLAY_COLOUR, render_routes

SOFT = "soft-wall"


def test_raw_capture_holds_the_text_a_script_hides(rendered_crawl: RenderedCrawl):
    item = rendered_crawl.item(SOFT)
    response = rendered_crawl.record(item["warc_record_id"])
    assert response.rec_type == "response"
    assert response.http_header_values("Content-Encoding") == [b"gzip"], "stored as sent"
    assert MARKER.encode() in gzip.decompress(response.payload)
    assert MARKER in item["text"]


def test_verdict_is_soft_with_evidence_from_the_rendered_dom(rendered_crawl: RenderedCrawl):
    verdict = rendered_crawl.item(SOFT)["paywall"]
    assert (verdict["detected"], verdict["kind"], verdict["truncated"]) == (True, "soft", False)
    evidence = {signal["name"]: signal["evidence"] for signal in verdict["signals"]}
    assert "display: none" in evidence["rendered.text_hidden"]
    assert "div#reg-wall covers 100% of the viewport" in evidence["rendered.overlay"]
    for free in ("open-article", "cookie-banner", "promo-banner"):
        assert not rendered_crawl.item(free)["paywall"]["detected"], free


def test_text_left_in_place_under_an_overlay_with_scrolling_locked_is_soft(
        rendered_crawl: RenderedCrawl):
    """The soft wall that hides nothing by style: the text is shown, but under an
    overlay, and the page cannot be scrolled to it."""
    item = rendered_crawl.item("covered-wall")
    verdict = item["paywall"]
    assert (verdict["detected"], verdict["kind"], verdict["truncated"]) == (True, "soft", False)
    evidence = {signal["name"]: signal["evidence"] for signal in verdict["signals"]}
    assert evidence["rendered.text_hidden"].startswith(
        "after scripts ran, div.piano-offer covers 100% of the viewport and scrolling is "
        "locked: a reader reaches "), evidence
    assert "rendered.scroll_locked" in evidence
    # A big banner over text a reader can scroll past is an overlay, not a wall.
    promo = {signal["name"] for signal in rendered_crawl.item("promo-banner")["paywall"]["signals"]}
    assert "rendered.overlay" in promo
    assert not promo & {"rendered.text_hidden", "rendered.scroll_locked"}


def test_dom_and_screenshot_records_refer_to_the_response(rendered_crawl: RenderedCrawl):
    item = rendered_crawl.item(SOFT)
    links = item["rendered"]
    dom = rendered_crawl.record(links["dom"]["warc_record_id"])
    shot = rendered_crawl.record(links["screenshot"]["warc_record_id"])
    assert (dom.rec_type, shot.rec_type) == ("conversion", "resource")
    assert dom.target == "urn:rendered-dom:" + item["url"]
    assert shot.target == "urn:screenshot:" + item["url"]
    # WARC 1.1 5.6, 5.11, 5.12: Refers-To on a conversion, Concurrent-To on a resource
    assert dom.header("WARC-Refers-To") == shot.header("WARC-Concurrent-To") \
        == item["warc_record_id"]
    for record in (dom, shot):
        assert record.header("WARC-Refers-To-Target-URI") is None
    assert shot.header("WARC-Refers-To") is None
    assert dom.header("Content-Type") == "text/html; charset=utf-8"
    assert b'id="reg-wall"' in dom.block, "the DOM after scripts ran, overlay included"
    assert shot.header("Content-Type") == "image/png"
    assert shot.block.startswith(b"\x89PNG\r\n\x1a\n")


def test_screenshot_member_is_stored_not_deflated_again(rendered_crawl: RenderedCrawl):
    """A PNG is deflated already: its record's gzip member stores it (level 0), the DOM's
    is compressed."""
    links = rendered_crawl.item(SOFT)["rendered"]
    shot = rendered_crawl.record(links["screenshot"]["warc_record_id"])
    dom = rendered_crawl.record(links["dom"]["warc_record_id"])
    assert deflate_block_type(shot) == 0
    assert deflate_block_type(dom) != 0
    assert links["screenshot"]["warc_offset"] == shot.offset


def png_size(block: bytes) -> str:
    """``WIDTHxHEIGHT`` from a PNG's header chunk."""
    width, height = struct.unpack(">II", block[16:24])
    return f"{width}x{height}"


def test_screenshot_record_says_where_a_long_page_was_cut(rendered_crawl: RenderedCrawl):
    def sizes(slug: str) -> tuple[str, str, str]:
        links = rendered_crawl.item(slug)["rendered"]["screenshot"]
        shot = rendered_crawl.record(links["warc_record_id"])
        return (png_size(shot.block), shot.header("WARC-Screenshot-Size"),
                shot.header("WARC-Screenshot-Page-Size"))

    shown, size, page = sizes(SOFT)
    assert shown == size == page, "a page shorter than the cap is shot whole"
    shown, size, page = sizes("open-article")
    width = shown.split("x")[0]
    assert shown == size == f"{width}x{SCREENSHOT_HEIGHT}"
    assert page.startswith(f"{width}x") and int(page.split("x")[1]) > SCREENSHOT_HEIGHT
    links = rendered_crawl.item("open-article")["rendered"]["screenshot"]
    assert (links["height"], links["page_height"]) == (SCREENSHOT_HEIGHT, int(page.split("x")[1]))


def overlay_share(crawl: RenderedCrawl, slug: str) -> float:
    """Share of the first screen's pixels painted in the overlay's colour."""
    image_module = pytest.importorskip("PIL.Image", reason="Pillow reads the screenshot")
    block = crawl.record(crawl.item(slug)["rendered"]["screenshot"]["warc_record_id"]).block
    with image_module.open(io.BytesIO(block)) as image:
        screen = image.convert("RGB").crop((0, 0, image.width, min(image.height, 900)))
        colours = {colour: count for count, colour in screen.getcolors(screen.width * 900)}
        return colours.get(OVERLAY_COLOUR, 0) / (screen.width * screen.height)


def test_screenshot_shows_the_overlay(rendered_crawl: RenderedCrawl):
    assert overlay_share(rendered_crawl, SOFT) > 0.9
    assert overlay_share(rendered_crawl, "open-article") == 0


def test_full_chromium_sees_the_same_wall(tmp_path: Path):
    """The desktop browser (``ARCHIVER_RENDER_CHROMIUM=chromium``) in place of the
    default headless shell: the same verdicts, the overlay in the screenshot."""
    require_rendering("chromium")
    crawl = rendered_crawl_of(tmp_path / "crawl", "ARCHIVER_RENDER_CHROMIUM=chromium")
    assert [crawl.item(slug)["paywall"]["kind"] for slug in (SOFT, "covered-wall")] == [
        "soft", "soft"]
    assert not crawl.item("open-article")["paywall"]["detected"]
    assert overlay_share(crawl, SOFT) > 0.9


def test_consent_banner_is_rejected_not_accepted(rendered_crawl: RenderedCrawl):
    links = rendered_crawl.item("cookie-banner")["rendered"]
    assert links["consent"] == ["onetrust: clicked #onetrust-reject-all-handler"]
    dom = rendered_crawl.record(links["dom"]["warc_record_id"]).block
    assert b"onetrust-banner-sdk" not in dom, "the banner is gone after the click"


def test_browser_reaches_nothing_but_scrapy_fetches_of_the_site(rendered_crawl: RenderedCrawl):
    records = rendered_crawl.output.records()
    assert not [r for r in records if "example.invalid" in (r.target or "")]
    for slug in (SOFT, "open-article"):
        links = rendered_crawl.item(slug)["rendered"]
        assert links["blocked"] == [f"GET {OFFSITE_IMAGE}"]
    # Each subresource was fetched once, by Scrapy, and archived with its wire bytes.
    paths = rendered_crawl.log.paths()
    routes = render_routes()
    for path in ("/static/wall.js", "/static/site.css"):
        assert paths.count(path) == 1, paths
        url = rendered_crawl.base_url + path
        stored = [r for r in records if r.rec_type == "response" and r.target == url]
        assert [r.payload for r in stored] == [routes[path].body]
    assert sorted(rendered_crawl.item(SOFT)["rendered"]["subresources"]) == [
        rendered_crawl.base_url + "/static/site.css", rendered_crawl.base_url + "/static/wall.js"]


def test_pywb_replays_the_raw_page(rendered_crawl: RenderedCrawl, tmp_path: Path):
    pywb = pywb_or_skip()
    build_collection(pywb, tmp_path, "render", rendered_crawl.output.warc_files)

    with running_wayback(pywb, tmp_path, "render") as port:
        url = f"{rendered_crawl.base_url}/news/2026/11/{SOFT}"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/render/2026id_/{url}",
                                    timeout=30) as replayed:
            body = replayed.read()
    assert body == render_routes()[f"/news/2026/11/{SOFT}"].body


@pytest.mark.parametrize(("facts", "expected"), [
    (RenderedFacts(900, 900, hidden=(HiddenText("div.story", "filter: blur(8px)", 900),)),
     ["rendered.text_blurred"]),
    (RenderedFacts(40, 40), ["rendered.text_removed"]),
    (RenderedFacts(900, 900, overlays=(Overlay("div#cmp", 0.8, "We use cookies"),),
                   scroll_locked=True, consent=("didomi",)),
     ["rendered.overlay", "rendered.scroll_locked", "rendered.consent_wall"]),
    (RenderedFacts(900, 900, consent=("didomi",)), []),
    (RenderedFacts(900, 900, overlays=(Overlay("div.offer", 1.0, "Log in"),),
                   scroll_locked=True, reachable_words=30),
     ["rendered.text_hidden", "rendered.overlay", "rendered.scroll_locked"]),
    (RenderedFacts(900, 900, overlays=(Overlay("div.offer", 1.0, "Log in"),),
                   scroll_locked=True, reachable_words=600),
     ["rendered.overlay", "rendered.scroll_locked"]),
])
def test_rendered_signals(facts: RenderedFacts, expected: list[str]):
    assert [signal.name for signal in find_rendered_signals(facts, 900)] == expected


def test_render_without_chromium_is_refused_before_crawling(tmp_path: Path):
    process = run_archiver("crawl", "--url", "http://127.0.0.1:9/", "--render",
                           "--output", str(tmp_path), "-s",
                           "ARCHIVER_RENDER_CHROMIUM=/nonexistent/chromium")
    assert process.returncode == 2
    assert process.stderr.count("\n") == 1, process.stderr
    assert process.stderr.startswith("archiver crawl: rendering needs"), process.stderr
    assert not (tmp_path / "warc").exists()


def test_default_browser_is_the_headless_shell_then_chromium(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    for name in DEFAULT_BROWSERS:
        (tmp_path / name).mkdir()
        executable = tmp_path / name / name
        executable.write_text("#!/bin/sh\n")
        executable.chmod(0o755)
    shell, full = (str(tmp_path / name / name) for name in DEFAULT_BROWSERS)
    monkeypatch.setenv("PATH", f"{tmp_path / 'chromium'}:{tmp_path / 'chromium-headless-shell'}")
    assert (chromium_path(""), chromium_path("chromium")) == (shell, full)
    monkeypatch.setenv("PATH", str(tmp_path / "chromium"))
    assert chromium_path("") == full
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    with pytest.raises(RenderUnavailable, match="chromium-headless-shell or chromium not found"):
        chromium_path("")
