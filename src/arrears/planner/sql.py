"""Named SQL statements: the planner's unit of work, run in order by a runner (`arrears.compute`).

A `Statement` means "CREATE TEMP VIEW <name> AS <sql>" (or a table when `materialize` is set: computed once
and reused, for a step that several later statements read). SQL is DuckDB's dialect restricted to what
sqlglot carries to Spark SQL: plain joins, aggregates, window functions and CASE; no QUALIFY, no list or struct
functions, no time zone functions (times are BIGINT epoch seconds UTC; local time comes from the `tz_offsets`
relation). Pure: this module never imports a database driver.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Statement:
    name: str  # a plain SQL identifier, unique among the inputs and statements of one run
    sql: str  # one SELECT
    materialize: bool = False  # a table rather than a view (read by several later statements)

    def __post_init__(self) -> None:
        if not self.name.isidentifier():
            raise ValueError(f"statement name {self.name!r} is not a plain identifier")
        if not self.sql.strip():
            raise ValueError(f"statement {self.name!r} has no SQL")


def quote(value: str) -> str:
    """A SQL string literal (single quotes doubled)."""
    return "'" + value.replace("'", "''") + "'"


def in_list(values: Iterable[object]) -> str:
    """`('a', 'b')` for a non-empty collection of strings (sorted, for stable SQL); callers handle empty sets."""
    items = sorted({str(v) for v in values})
    if not items:
        raise ValueError("in_list needs at least one value")
    return "(" + ", ".join(quote(v) for v in items) + ")"
