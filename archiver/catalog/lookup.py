"""The catalog's per-page lookups, run on SQLite's own cursor.

A crawl asks the catalog for every request it sends: a URL's latest capture
(:data:`archiver.catalog.store.LATEST_CAPTURE`, with its latest verdict), whether a
payload or an article is stored at all. SQLAlchemy's Core execution of such a
statement (its compiled-cache lookup, execution context, events and result object)
cost 145 us of CPU where the same SQL on the ``sqlite3`` connection, its values
converted by the same SQLAlchemy result processors, cost 65 us (a URL's latest
capture, 1,514-URL catalog, load 5): most of the per-page catalog time of an
unchanged recrawl. :class:`Lookup` compiles a statement once and runs it so on
SQLite; any other database (PostgreSQL) goes through Core as before.

It reads through the session's own connection, inside its transaction: what it
sees is what a Core query there would see (flushed rows, not pending ones). It
bypasses SQLAlchemy's cursor events, so an engine that has any (SQL logging,
statement counting) keeps Core.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select


@dataclass(frozen=True)
class _Prepared:
    sql: str
    names: tuple[str, ...]
    """The statement's parameters in their order in ``sql`` (SQLite's ``?`` style)."""
    defaults: Mapping[str, Any]
    """The values of the parameters the statement fixes itself (``LIMIT 1``)."""
    processors: Sequence[tuple[int, Callable[[Any], Any]]]
    """The columns that SQLAlchemy converts (dates and JSON on SQLite), by index, with
    its result processor of each."""


class Lookup:
    """A SELECT by fixed parameters whose first row the crawl asks for page after page."""

    def __init__(self, statement: Select) -> None:
        self.statement = statement
        self._prepared: _Prepared | None = None

    def first(self, connection: Connection, params: Mapping[str, Any]) -> Sequence[Any] | None:
        """The first row (a tuple of converted values, as Core's row would hold) or ``None``."""
        if connection.dialect.name != "sqlite" or connection.engine.dispatch.before_cursor_execute \
                or connection.engine.dispatch.after_cursor_execute:
            return connection.execute(self.statement, params).first()
        prepared = self._prepared or self._prepare(connection, params)
        values = [params[name] if name in params else prepared.defaults[name]
                  for name in prepared.names]
        row = connection.connection.dbapi_connection.execute(prepared.sql, values).fetchone()
        if row is None or not prepared.processors:
            return row
        values = list(row)
        for index, process in prepared.processors:
            if values[index] is not None:
                values[index] = process(values[index])
        return tuple(values)

    def _prepare(self, connection: Connection, params: Mapping[str, Any]) -> _Prepared:
        dialect = connection.dialect
        compiled = self.statement.compile(dialect=dialect)
        defaults = {name: value for name, value in compiled.construct_params(dict(params)).items()
                    if name not in params}
        processors = [(index, process) for index, column
                      in enumerate(self.statement.selected_columns)
                      if (process := column.type.dialect_impl(dialect).result_processor(
                          dialect, None)) is not None]
        self._prepared = _Prepared(str(compiled), tuple(compiled.positiontup or ()), defaults,
                                   processors)
        return self._prepared
