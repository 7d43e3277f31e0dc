"""Synthetic walls made from real free pages: a check of the structural signals.

Real walled captures are rare (25 in the real corpus), so a model fitted on
them alone cannot learn the signals that only a few of them show; synthetic
walls may train it (``fit.SYNTHETIC_SHARE``, 0 today: they cost precision on
real pages) and show which walls the signals catch. Each free
page of the real corpus's ``tuning`` split gives one walled variant, in the
page's own layout and language: the article cut to its first two paragraphs
and one wall added after them, its kind drawn by :data:`SEED` and the page's
file name (so the set does not depend on the labels' order):

* ``placeholder``: an empty ``div.paid-content`` that a script would fill;
* ``piano``: Piano/Tinypass's empty ``#tp-container`` and its script;
* ``form``: a registration form (e-mail, password) with a prompt in the
  page's language, as Zephr, Pelcro or Leaky Paywall draw them;
* ``prompt``: a "continue" phrase of the page's language and a subscribe link,
  as Ghost, Substack, Memberful or Steady end a members' post;
* ``scrambled``: the rest of the article kept but letter-shifted (soft);
* ``stylesheet``: the rest kept but hidden by a class of the page's
  ``<style>`` (soft).

They are reported apart and never scored in the headline; in the
cross-validation a variant counts as its source page's site, so a site's own
layout never trains the model that is scored on it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from copy import deepcopy

from lxml import etree, html

from archiver.extraction import extract_article
from archiver.languages import languages
from archiver.page import CapturedPage
from benchmarks.paywall.corpus import Case, real_cases, real_labels

KINDS = ("placeholder", "piano", "form", "prompt", "scrambled", "stylesheet")
SEED = 17
"""Draws each page's kind of wall; recorded in ``weights.yaml`` with the fit."""
_MIN_PARAGRAPH_WORDS = 8
_KEPT = 2


def _phrase(language: str | None, category: str) -> str:
    """A plain phrase (no template) of ``category`` in ``language``, else English."""
    by_code = {entry["language"]: entry for entry in languages()}
    for code in (language, "en"):
        entry = by_code.get(code or "")
        for phrase in (entry["prompts"][category] or []) if entry else []:
            if "{" not in phrase:
                return phrase
    return "subscribe to continue reading"


def _shift(text: str) -> str:
    return "".join(chr((ord(c) - 96) % 26 + 97) if "a" <= c <= "z" else
                   chr((ord(c) - 64) % 26 + 65) if "A" <= c <= "Z" else c for c in text)


def _article_paragraphs(tree: etree._Element, article: str) -> list[etree._Element]:
    found = []
    for paragraph in tree.iter("p"):
        text = " ".join(paragraph.text_content().split())
        if len(text.split()) >= _MIN_PARAGRAPH_WORDS and text[:40] in article:
            found.append(paragraph)
    return found


def _wall(kind: str, language: str | None) -> list[etree._Element]:
    register = _phrase(language, "registration")
    cont = _phrase(language, "continue")
    snippets = {
        "placeholder": '<div class="paid-content"></div>',
        "piano": '<div id="tp-container"></div>'
                 '<script src="https://cdn.tinypass.com/api/tinypass.min.js"></script>',
        "form": f'<form class="regwall" action="/register"><p>{register}</p>'
                '<input type="email" name="email"><input type="password" name="password">'
                "<button>OK</button></form>",
        "prompt": f'<p>{cont.capitalize()}</p><p><a href="/subscribe">{cont}</a></p>',
    }
    return list(html.fragments_fromstring(snippets[kind])) if kind in snippets else []


def variant(case: Case, kind: str) -> Case | None:
    """``case``'s page with a ``kind`` wall after its first paragraphs, or
    ``None`` where the article's paragraphs cannot be found."""
    tree = deepcopy(case.page.tree)
    paragraphs = _article_paragraphs(tree, extract_article(case.page).text)
    if len(paragraphs) <= _KEPT + 1:
        return None
    rest = paragraphs[_KEPT:]
    if kind == "scrambled":
        for paragraph in rest:
            for node in paragraph.iter():
                node.text = _shift(node.text) if node.text else node.text
                node.tail = _shift(node.tail) if node.tail and node is not paragraph else node.tail
    elif kind == "stylesheet":
        head = tree.find("head")
        style = etree.SubElement(head if head is not None else tree, "style")
        style.text = ".article-rest { display: none; }"
        for paragraph in rest:
            paragraph.set("class", f"{paragraph.get('class') or ''} article-rest".strip())
    else:
        for paragraph in rest:
            paragraph.drop_tree()
        anchor = paragraphs[_KEPT - 1]
        for element in reversed(_wall(kind, case.meta.get("language"))):
            anchor.addnext(element)
    body = etree.tostring(tree, encoding="utf-8", method="html")
    expected = {"detected": True,
                "kind": "soft" if kind in ("scrambled", "stylesheet") else
                "registration" if kind == "form" else "hard"}
    return Case(f"synthetic/{kind}/{case.name}", CapturedPage(case.page.url, body), expected,
                {**case.meta, "split": "synthetic", "group": f"synthetic-{kind}"})


def kind_of(name: str, seed: int = SEED) -> str:
    """The kind of wall the page ``name`` is given, drawn by ``seed``."""
    digest = hashlib.sha1(f"{seed}:{name}".encode()).digest()
    return KINDS[int.from_bytes(digest[:4], "big") % len(KINDS)]


def synthetic_cases() -> Iterator[Case]:
    """One wall on each free page of the ``tuning`` split, its kind by :func:`kind_of`."""
    tuning = [label for label in real_labels()
              if label["split"] == "tuning" and label["label"] == "free"]
    for case in real_cases(tuning):
        made = variant(case, kind_of(case.name))
        if made is not None:
            yield made
