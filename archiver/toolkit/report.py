"""A static HTML report on paywalls across a crawl directory's runs.

One self-contained file (inline CSS and SVG, no scripts, no server): the share
of paywalled articles per site and kind, that share run by run, and every
article with its verdict and the evidence for it, so a researcher can audit
each conclusion. It reads the run history from the catalog (``DIR/catalog.sqlite``
or a ``--catalog`` URL) when there is one: every run, failed ones included, and
every verdict observed; otherwise the item files every crawl writes
(``DIR/{crawl_id}.jsonl``). An article fetched in several runs appears once per
run, which is what "over time" needs.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from archiver import __version__
from archiver.catalog.store import CatalogStore
from archiver.layout import CATALOG_FILENAME, default_catalog_url
from archiver.paywall.verdict import KINDS
from archiver.toolkit.inputs import InputError, item_files, read_items
from archiver.toolkit.svg import Segment, line_chart, series_colour, share_bar

KIND_COLOURS = {"hard": "#c0392b", "soft": "#e67e22", "registration": "#8e44ad",
                "free": "#27ae60"}
UNKNOWN_RUN = "(no crawl id)"
NONE = "&ndash;"


@dataclass(frozen=True)
class ReportArticle:
    url: str
    title: str | None
    crawl_id: str
    fetched_at: str
    paywall: dict[str, Any] | None

    @property
    def site(self) -> str:
        return urlsplit(self.url).hostname or "?"

    @property
    def state(self) -> str:
        """``hard``, ``soft``, ``registration``, or ``free`` (no paywall detected)."""
        verdict = self.paywall or {}
        if verdict.get("detected"):
            return verdict.get("kind") or "hard"
        return "free"


def articles_from_items(items: Iterable[dict[str, Any]]) -> list[ReportArticle]:
    return [
        ReportArticle(url=item["url"], title=item.get("title"),
                      crawl_id=item.get("crawl_id") or UNKNOWN_RUN,
                      fetched_at=item.get("fetched_at") or "", paywall=item.get("paywall"))
        for item in items if item.get("url")
    ]


@dataclass(frozen=True)
class Run:
    crawl_id: str
    started: str
    """From the catalog, else the earliest fetch time among the run's articles."""
    status: str = ""


@dataclass
class ReportData:
    articles: list[ReportArticle]
    runs: list[Run]
    source: str


def _iso(when: datetime) -> str:
    return when.replace(tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def load_catalog(url: str) -> ReportData:
    """Every run and every verdict observation in the catalog at ``url``."""
    store = CatalogStore(url, migrate=False)
    try:
        verdicts = store.verdicts()
        articles = [
            ReportArticle(url=v.article.url, title=v.article.title, crawl_id=v.crawl_id,
                          fetched_at=_iso(v.observed_at), paywall=v.verdict)
            for v in verdicts
        ]
        runs = [Run(c.id, _iso(c.started_at), c.status) for c in store.crawls()]
    finally:
        store.close()
    runs.sort(key=lambda r: (r.started, r.crawl_id))
    return ReportData(articles, runs, f"catalog {url}")


def counted(n: int, noun: str) -> str:
    """``1 site``, ``2 sites``: the report's counts read as sentences."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def load_report_data(directory: Path, catalog_url: str | None = None) -> ReportData:
    """The catalog's history when there is one, else the item files of ``directory``."""
    if catalog_url or (directory / CATALOG_FILENAME).is_file():
        return load_catalog(catalog_url or default_catalog_url(directory))
    files = item_files(directory)
    if not files:
        raise InputError(f"{directory}: no item files (*.jsonl) and no {CATALOG_FILENAME}; "
                         "give a crawl's output directory (the --output of archiver crawl)")
    articles = articles_from_items(read_items(files))
    return ReportData(articles, runs_in_order(articles), f"item files in {directory}")


def runs_in_order(articles: Sequence[ReportArticle]) -> list[Run]:
    first: dict[str, str] = {}
    for article in articles:
        seen = first.get(article.crawl_id)
        if seen is None or (article.fetched_at and article.fetched_at < seen):
            first[article.crawl_id] = article.fetched_at
    return sorted((Run(c, t) for c, t in first.items()), key=lambda r: (r.started, r.crawl_id))


def shares_by_site(articles: Sequence[ReportArticle]) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for article in articles:
        counts[article.site][article.state] += 1
    return dict(sorted(counts.items()))


def paywalled_share_by_run(
    articles: Sequence[ReportArticle], runs: Sequence[Run]
) -> dict[str, list[float | None]]:
    """Per site, the share of its articles found paywalled in each run (None: not crawled)."""
    totals: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for article in articles:
        totals[article.site, article.crawl_id][article.state != "free"] += 1
    sites = sorted({a.site for a in articles})
    series = {}
    for site in ["all sites", *sites] if len(sites) > 1 else sites:
        values: list[float | None] = []
        for run in runs:
            counter: Counter[bool] = Counter()
            for (s, crawl), c in totals.items():
                if crawl == run.crawl_id and site in ("all sites", s):
                    counter.update(c)
            total = counter[True] + counter[False]
            values.append(counter[True] / total if total else None)
        series[site] = values
    return series


STYLE = """
body { font-family: sans-serif; margin: 2rem; color: #222; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 14px; }
th, td { border: 1px solid #ccc; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.num { text-align: right; }
.state-hard { color: #c0392b; font-weight: bold; }
.state-soft { color: #e67e22; font-weight: bold; }
.state-registration { color: #8e44ad; font-weight: bold; }
.state-free { color: #27ae60; }
details summary { cursor: pointer; }
.legend span { display: inline-block; margin-right: 1rem; overflow-wrap: anywhere; }
td { overflow-wrap: anywhere; }
td.num { white-space: nowrap; }
td.bar { min-width: 240px; }
.legend i { display: inline-block; width: .8rem; height: .8rem; margin-right: .3rem; }
"""


def _share(count: int, total: int) -> str:
    return f"{count / total:.0%}" if total else NONE


def _legend(entries: Iterable[tuple[str, str]]) -> str:
    """Colour keys in HTML, where a long name wraps rather than being cut."""
    keys = "".join(f'<span><i style="background:{colour}"></i>{escape(name)}</span>'
                   for name, colour in entries)
    return f'<div class="legend">{keys}</div>'


def _site_section(articles: Sequence[ReportArticle]) -> str:
    counts = shares_by_site(articles)
    states = [*KINDS, "free"]
    rows = []
    for site, counter in counts.items():
        total = sum(counter.values())
        walled = total - counter["free"]
        cells = "".join(f'<td class="num">{counter[s]} ({_share(counter[s], total)})</td>'
                        for s in states)
        bar = share_bar(site, [Segment(s, counter[s] / total, KIND_COLOURS[s]) for s in states])
        rows.append(f"<tr><td>{escape(site)}</td><td class=\"num\">{total}</td>"
                    f'<td class="num">{_share(walled, total)}</td>{cells}'
                    f'<td class="bar">{bar}</td></tr>')
    head = "".join(f"<th>{s}</th>" for s in states)
    return (
        "<h2>Paywalled articles per site and kind</h2>"
        + _legend((s, KIND_COLOURS[s]) for s in states)
        + f"<table><tr><th>site</th><th>articles</th><th>paywalled</th>{head}"
        f"<th>share</th></tr>{''.join(rows)}</table>"
    )


def _runs_section(articles: Sequence[ReportArticle], runs: Sequence[Run]) -> str:
    """The chart's axis numbers the runs; the table beside it names each one whole."""
    series = paywalled_share_by_run(articles, runs)
    rows = "".join(
        f'<tr><td class="num">{i + 1}</td><td>{escape(run.crawl_id)}</td>'
        f"<td>{escape(run.started)}</td>"
        f"<td>{escape(run.status) if run.status else NONE}</td>"
        f'<td class="num">{sum(a.crawl_id == run.crawl_id for a in articles)}</td>'
        + "".join(f'<td class="num">{NONE if v[i] is None else f"{v[i]:.0%}"}</td>'
                  for v in series.values())
        + "</tr>"
        for i, run in enumerate(runs)
    )
    head = "".join(f"<th>{escape(name)}</th>" for name in series)
    chart = line_chart([str(i + 1) for i in range(len(runs))],
                       [f"run {i + 1}, {run.crawl_id}" for i, run in enumerate(runs)],
                       list(series.items()))
    return (
        "<h2>Paywalled share over time, run by run</h2>"
        + _legend((name, series_colour(i)) for i, name in enumerate(series))
        + chart
        + "<table><tr><th>#</th><th>run</th><th>started</th><th>status</th><th>articles</th>"
        f"{head}</tr>{rows}</table>"
    )


def _evidence(verdict: dict[str, Any] | None) -> str:
    signals = (verdict or {}).get("signals") or []
    if not signals:
        return ""
    items = "".join(
        f"<li><code>{escape(str(s.get('name')))}</code> ({s.get('weight')}): "
        f"{escape(str(s.get('evidence')))}</li>"
        for s in signals
    )
    return f"<details><summary>{len(signals)} signals</summary><ul>{items}</ul></details>"


def _articles_section(articles: Sequence[ReportArticle]) -> str:
    rows = []
    for a in sorted(articles, key=lambda a: (a.site, a.url, a.fetched_at)):
        verdict = a.paywall or {}
        rows.append(
            f"<tr><td>{escape(a.site)}</td>"
            f'<td><a href="{escape(a.url)}">{escape(a.title or a.url)}</a></td>'
            f"<td>{escape(a.crawl_id)}</td><td>{escape(a.fetched_at)}</td>"
            f'<td class="state-{a.state}">{a.state}</td>'
            f"<td>{'yes' if verdict.get('truncated') else 'no'}</td>"
            f"<td>{escape(str(verdict['declared'])) if verdict.get('declared') else NONE}</td>"
            f'<td class="num">{verdict.get("confidence", NONE)}</td>'
            f"<td>{_evidence(verdict)}</td></tr>"
        )
    return (
        f"<h2>Articles ({len(articles)})</h2><table><tr><th>site</th><th>article</th>"
        "<th>run</th><th>fetched</th><th>paywall</th><th>truncated</th><th>declared</th>"
        f"<th>confidence</th><th>evidence</th></tr>{''.join(rows)}</table>"
    )


def render_report(data: ReportData, title: str) -> str:
    articles, runs = data.articles, data.runs
    walled = sum(a.state != "free" for a in articles)
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1>"
        f"<p>{counted(len(articles), 'article')} from "
        f"{counted(len({a.site for a in articles}), 'site')} in "
        f"{counted(len(runs), 'run')}; {walled} paywalled ({_share(walled, len(articles))}). "
        f"Read from {escape(data.source)}; generated {generated} by news-archiver "
        f"{__version__}.</p>"
        + _site_section(articles)
        + _runs_section(articles, runs)
        + _articles_section(articles)
        + "</body></html>\n"
    )
