"""A crawl's console log: our messages and Scrapy's problems, one line each.

Scrapy logs at DEBUG by default and prints every item with its whole text:
over 900 lines for a 300-article crawl, with the one line that mattered
("Connection refused") buried in them. Scrapy's full log goes to the run's log
file (``LOG_FILE``, set by the runner); the console shows our own messages
(``archiver.*``, ``spiders.*``) from INFO, other loggers' from WARNING, each as
its first line without the traceback, and at most :data:`MAX_PROBLEM_LINES`
warnings and errors: the rest are counted, and grouped in the summary.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

OWN_LOGGERS = frozenset({"archiver", "spiders"})
QUIET_LOGGERS = frozenset({"scrapy.middleware"})
"""Loggers whose warnings are routine: "Disabled X: its setting is off" for every
optional component."""
MAX_PROBLEM_LINES = 10
REQUEST = re.compile(r"<[A-Z]+ [^>]+>|\bhttps?://\S+")
"""Request and URL mentions, removed to group errors that differ only in where."""


def first_line(record: logging.LogRecord) -> str:
    """The message's first line, with its exception's when the message does not say it:
    Scrapy logs "Error downloading <GET ...>" and leaves "Connection refused" to the
    traceback."""
    lines = record.getMessage().strip().splitlines()
    text = lines[0] if lines else ""
    error = record.exc_info[1] if record.exc_info else None
    reason = str(error).strip().splitlines() if error is not None else []
    if reason and reason[0] not in text:
        text = f"{text}: {reason[0]}" if text else reason[0]
    return text


@dataclass
class ErrorGroup:
    """Errors that say the same thing about different URLs."""

    first: str
    count: int = 1


@dataclass
class Problems:
    """The errors of a run, grouped in order of first appearance, and what was not shown."""

    groups: dict[str, ErrorGroup] = field(default_factory=dict)
    hidden: int = 0

    def add(self, record: logging.LogRecord) -> None:
        text = first_line(record)
        key = REQUEST.sub("…", text)
        if key in self.groups:
            self.groups[key].count += 1
        else:
            self.groups[key] = ErrorGroup(text)

    def first(self, n: int) -> list[ErrorGroup]:
        return list(self.groups.values())[:n]


class ConsoleHandler(logging.Handler):
    """Writes the records a person should see to standard error, one line each.

    ``verbosity``: ``-1`` (``-q``) errors only; ``0`` our INFO and others'
    warnings; ``1`` (``-v``) every logger's INFO; ``2`` (``-vv``) DEBUG.
    """

    def __init__(self, verbosity: int, problems: Problems) -> None:
        super().__init__(logging.DEBUG)
        self.verbosity = verbosity
        self.problems = problems
        self.problem_lines = 0

    def wanted(self, record: logging.LogRecord) -> bool:
        if self.verbosity < 0:
            return record.levelno >= logging.ERROR
        if self.verbosity >= 2:
            return True
        if record.name == "scrapy.crawler" and str(record.msg).startswith("Received "):
            return True  # "Received SIGINT, shutting down gracefully. Send again to force"
        if record.name in QUIET_LOGGERS and record.levelno < logging.ERROR:
            return self.verbosity >= 1
        own = record.name.split(".")[0] in OWN_LOGGERS
        return record.levelno >= (logging.INFO if own or self.verbosity else logging.WARNING)

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR:
            self.problems.add(record)
        if not self.wanted(record):
            return
        if record.levelno >= logging.WARNING and self.verbosity < 1:
            self.problem_lines += 1
            if self.problem_lines > MAX_PROBLEM_LINES:
                self.problems.hidden += 1
                return
        level = f"{record.levelname.lower()}: " if record.levelno >= logging.WARNING else ""
        # -v shows whole messages (Scrapy's lists of enabled components), never tracebacks
        text = record.getMessage().strip() if self.verbosity >= 1 else first_line(record)
        try:
            # sys.stderr looked up now: the live progress display proxies it while it runs
            print(level + text, file=sys.stderr, flush=True)
        except Exception:
            self.handleError(record)


@contextmanager
def crawl_console(verbosity: int) -> Iterator[Problems]:
    """The console handler on the root logger while a crawl runs in this process."""
    problems = Problems()
    handler = ConsoleHandler(verbosity, problems)
    logging.root.addHandler(handler)
    logging.root.setLevel(logging.DEBUG)  # Scrapy's install sets NOTSET, the same for root
    try:
        yield problems
    finally:
        logging.root.removeHandler(handler)
