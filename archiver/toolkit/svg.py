"""Small inline SVG charts for the static report.

No plotting library is installed with the crawler (matplotlib and its numpy
stack would triple the install for two charts, and its SVG output embeds fonts
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


def stacked_bars(rows: Sequence[tuple[str, Sequence[Segment]]], width: int = 640) -> str:
    """One horizontal bar per row, its segments' shares stacked to 100%."""
    label_width, bar_height, gap = 200, 20, 8
    plot = width - label_width - 10
    height = len(rows) * (bar_height + gap) + gap
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="shares per row">']
    for index, (label, segments) in enumerate(rows):
        y = gap + index * (bar_height + gap)
        parts.append(f'<text x="{label_width - 6}" y="{y + 14}" text-anchor="end" {FONT}>'
                     f"{escape(label)}</text>")
        x = float(label_width)
        for segment in segments:
            w = plot * segment.value
            if w <= 0:
                continue
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_height}" '
                f'fill="{segment.colour}"><title>{escape(segment.label)}: '
                f"{segment.value:.0%}</title></rect>"
            )
            if w > 30:
                parts.append(f'<text x="{x + w / 2:.1f}" y="{y + 14}" text-anchor="middle" '
                             f'fill="#fff" {FONT}>{segment.value:.0%}</text>')
            x += w
    parts.append("</svg>")
    return "".join(parts)


def line_chart(x_labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]],
               width: int = 640, height: int = 260) -> str:
    """Shares (0..1) per x position, one line per series; ``None`` leaves a gap."""
    left, right, top, bottom = 44, 150, 10, 60
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(1, len(x_labels) - 1)

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
    for i, label in enumerate(x_labels):
        x, _ = point(i, 0)
        parts.append(f'<text x="{x:.1f}" y="{top + plot_h + 14}" {FONT} '
                     f'transform="rotate(30 {x:.1f} {top + plot_h + 14})">'
                     f"{escape(label)}</text>")
    for index, (name, values) in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        points = [(i, v) for i, v in enumerate(values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, v) for i, v in points))
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                         'stroke-width="2"/>')
        for i, v in points:
            x, y = point(i, v)
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
                         f"<title>{escape(name)}, {escape(x_labels[i])}: {v:.0%}</title>"
                         "</circle>")
        ly = top + 14 * index + 6
        parts.append(f'<rect x="{left + plot_w + 10}" y="{ly - 8}" width="10" height="10" '
                     f'fill="{colour}"/><text x="{left + plot_w + 24}" y="{ly + 1}" {FONT}>'
                     f"{escape(name)}</text>")
    parts.append("</svg>")
    return "".join(parts)
