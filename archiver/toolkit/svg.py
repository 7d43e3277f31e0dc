"""Small inline SVG charts for the static report.

No plotting library is installed with the crawler (matplotlib would bring numpy
and half a dozen other packages for two charts, and its SVG output embeds fonts
and ids that bloat a page with many charts); two chart types of a few dozen
lines each are all the report needs, and they work in any browser, offline,
without scripts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf"]
FONT = 'font-family="sans-serif" font-size="12"'


@dataclass(frozen=True)
class Segment:
    label: str
    value: float
    """A share in [0, 1]."""
    colour: str


def share_bar(label: str, segments: Sequence[Segment], width: int = 240,
              height: int = 18) -> str:
    """One horizontal bar, its segments' shares stacked to 100%.

    The bar carries no text label: it sits in a table row whose first cell names
    it, so a long site name wraps there and is shown whole.
    """
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}">']
    x = 0.0
    for segment in segments:
        w = width * segment.value
        if w <= 0:
            continue
        parts.append(
            f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{height}" '
            f'fill="{segment.colour}"><title>{escape(segment.label)}: '
            f"{segment.value:.0%}</title></rect>"
        )
        if w > 30:
            parts.append(f'<text x="{x + w / 2:.1f}" y="{height - 5}" text-anchor="middle" '
                         f'fill="#fff" {FONT}>{segment.value:.0%}</text>')
        x += w
    parts.append("</svg>")
    return "".join(parts)


def series_colour(index: int) -> str:
    """The colour of a :func:`line_chart` series, for the legend drawn beside it."""
    return PALETTE[index % len(PALETTE)]


def line_chart(ticks: Sequence[str], titles: Sequence[str],
               series: Sequence[tuple[str, Sequence[float | None]]],
               width: int = 640, height: int = 240) -> str:
    """Shares (0..1) per x position, one line per series; ``None`` leaves a gap.

    ``ticks`` are the short labels under the axis (run numbers), ``titles`` the
    whole ones, shown as each point's tooltip; the caller prints the whole labels
    in a table and the legend in HTML (:func:`series_colour`), where long names wrap
    instead of being cut at the edge of the drawing.
    """
    left, right, top, bottom = 44, 16, 10, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(1, len(ticks) - 1)

    def point(i: int, value: float) -> tuple[float, float]:
        return left + i * step, top + plot_h * (1 - value)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="share over time">']
    for tick in (0, 0.25, 0.5, 0.75, 1):
        _, y = point(0, tick)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
                     'stroke="#ddd"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" {FONT}>'
                     f"{tick:.0%}</text>")
    for i, tick in enumerate(ticks):
        x, _ = point(i, 0)
        parts.append(f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
                     f"{FONT}>{escape(tick)}</text>")
    for index, (name, values) in enumerate(series):
        colour = series_colour(index)
        points = [(i, v) for i, v in enumerate(values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, v) for i, v in points))
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                         'stroke-width="2"/>')
        for i, v in points:
            x, y = point(i, v)
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
                         f"<title>{escape(name)}, {escape(titles[i])}: {v:.0%}</title>"
                         "</circle>")
    parts.append("</svg>")
    return "".join(parts)
