"""DuckDB SQL -> Spark SQL with sqlglot, strictly: anything sqlglot cannot translate is an error, not a warning."""

from __future__ import annotations

import sqlglot
from sqlglot.errors import ErrorLevel, SqlglotError

from arrears.compute.statements import StatementError, StatementLike


class TranspileError(StatementError):
    """A statement that sqlglot cannot parse as DuckDB SQL or cannot express in Spark SQL."""


def to_spark_sql(statement: StatementLike) -> str:
    """The statement's SELECT in Spark SQL. Raises `TranspileError` naming the statement."""
    try:
        out = sqlglot.transpile(
            statement.sql,
            read="duckdb",
            write="spark",
            unsupported_level=ErrorLevel.RAISE,
            error_level=ErrorLevel.RAISE,
        )
    except SqlglotError as exc:
        raise TranspileError(statement.name, "spark (sqlglot transpile)", exc, statement.sql) from exc
    if len(out) != 1:
        raise TranspileError(
            statement.name,
            "spark (sqlglot transpile)",
            f"expected one SELECT, found {len(out)} statements",
            statement.sql,
        )
    return out[0]
