"""Plain-text tables for the console (``archiver sites``, ``sites probe``, ``runs``)."""

from __future__ import annotations


def format_table(rows: list[tuple[str, ...]]) -> str:
    """Columns padded to their widest cell, two spaces apart; the last one, often the
    longest (a URL, a verdict), is left ragged and no line ends in spaces."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join(
        "  ".join([*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)),
                   row[-1]]).rstrip()
        for row in rows
    )
