"""Portable SQL helpers for SQLite, PostgreSQL and MySQL/MariaDB: whole-day differences, adding months."""

from __future__ import annotations

from sqlalchemy import Date, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal


class days_between(FunctionElement):
    """Calendar days from the first date to the second (second − first), as an integer."""

    type = Integer()
    inherit_cache = True
    name = "days_between"


@compiles(days_between)
def _days_between_default(element, compiler, **kw):
    start, end = list(element.clauses)
    return f"(CAST({compiler.process(end, **kw)} AS DATE) - CAST({compiler.process(start, **kw)} AS DATE))"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    start, end = list(element.clauses)
    return (
        f"CAST(julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)}) AS INTEGER)"
    )


@compiles(days_between, "mysql")
def _days_between_mysql(element, compiler, **kw):
    start, end = list(element.clauses)
    return f"DATEDIFF({compiler.process(end, **kw)}, {compiler.process(start, **kw)})"


class add_months(FunctionElement):
    """The date `months` calendar months after a date, clamped to the month's end (30 Nov + 3 months = 28/29 Feb).

    PostgreSQL's interval and MySQL's DATE_ADD clamp; SQLite's '+N months' would roll over into the next month, so
    it is built from the first of the month plus the day, capped at the target month's length. `months` is a
    Python int, written into the SQL.
    """

    type = Date()
    inherit_cache = True
    name = "add_months"

    def __init__(self, day, months: int):
        self.months = int(months)
        super().__init__(day)


@compiles(add_months)
def _add_months_default(element, compiler, **kw):
    (day,) = list(element.clauses)
    return f"CAST(CAST({compiler.process(day, **kw)} AS DATE) + INTERVAL '{element.months} months' AS DATE)"


@compiles(add_months, "mysql")
def _add_months_mysql(element, compiler, **kw):
    (day,) = list(element.clauses)
    return f"DATE_ADD({compiler.process(day, **kw)}, INTERVAL {element.months} MONTH)"


@compiles(add_months, "sqlite")
def _add_months_sqlite(element, compiler, **kw):
    (day,) = list(element.clauses)
    d, n = compiler.process(day, **kw), element.months
    first = f"date({d}, 'start of month', '+{n} months')"
    length = f"CAST(julianday(date({d}, 'start of month', '+{n + 1} months')) - julianday({first}) AS INTEGER)"
    return f"date({first}, '+' || (MIN(CAST(strftime('%d', {d}) AS INTEGER), {length}) - 1) || ' days')"


class scanned(ColumnElement):
    """A column in a range condition that should be read by scanning the table, not through its index.

    SQLite cannot estimate how many rows a date range keeps and walks the index for ranges covering most of the
    table, one random row lookup each (tens of times slower than a scan at a million rows); a unary + keeps it
    from using the index. Other databases estimate ranges from their statistics and get the plain column.
    """

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column):
        self.column = column
        self.type = column.type


@compiles(scanned)
def _scanned_default(element, compiler, **kw):
    return compiler.process(element.column, **kw)


@compiles(scanned, "sqlite")
def _scanned_sqlite(element, compiler, **kw):
    return f"+{compiler.process(element.column, **kw)}"
