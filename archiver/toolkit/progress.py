"""A progress bar for long toolkit commands, only where someone is watching.

Drawn with rich on standard error when it is a terminal; in logs and pipes the
commands stay silent, so they get no control characters.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def progress(description: str, total: int) -> Iterator[Callable[[int], None]]:
    """Yield ``advance(n)``; draws a bar on a terminal, does nothing elsewhere."""
    if not sys.stderr.isatty():
        yield lambda n: None
        return
    # Imported here: rich costs ~0.1 s, paid only when a bar is drawn.
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=False) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)
