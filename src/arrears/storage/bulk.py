"""Fast natural-key upserts of typed Arrow columns (the import's write path), and fast plain inserts of many rows
(`insert_rows`: COPY on PostgreSQL).

One `INSERT ... ON CONFLICT (key) DO UPDATE ... WHERE <some column differs>` statement, run with the driver's
`executemany` on plain tuples, so a million rows do not pay SQLAlchemy's per-row parameter processing.
Values are converted column-wise to what the dialect stores: on SQLite the same text SQLAlchemy writes for
DATE and DATETIME (UTC), on PostgreSQL Python dates and aware datetimes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Connection, Table, insert
from sqlalchemy.exc import DBAPIError

from arrears.storage.tables import metadata

_SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S"  # Arrow's %S carries the microseconds: 09:00:00.000000


def upsert_sql(conn: Connection, table: Table) -> str:
    """The dialect's upsert statement for `table`, with positional parameters in column order."""
    dialect = conn.dialect
    q = dialect.identifier_preparer.quote
    names = [c.name for c in table.columns]
    key = [c.name for c in table.primary_key.columns]
    rest = [n for n in names if n not in key]
    if dialect.name == "sqlite":
        marks, differs = "?", "IS NOT"
    elif dialect.name == "postgresql":
        marks, differs = "%s", "IS DISTINCT FROM"
    else:  # pragma: no cover
        raise NotImplementedError(f"bulk upsert is not implemented for {dialect.name}")
    t = q(table.name)
    return (
        f"INSERT INTO {t} ({', '.join(q(n) for n in names)}) VALUES ({', '.join([marks] * len(names))}) "
        f"ON CONFLICT ({', '.join(q(k) for k in key)}) DO UPDATE SET "
        + ", ".join(f"{q(n)} = excluded.{q(n)}" for n in rest)
        + " WHERE "
        + " OR ".join(f"{t}.{q(n)} {differs} excluded.{q(n)}" for n in rest)
    )


def _db_values(conn: Connection, arr: pa.Array) -> list[object]:
    t = arr.type
    if conn.dialect.name == "sqlite":
        if pa.types.is_timestamp(t):
            arr = pc.strftime(arr.cast(pa.timestamp("us", tz="UTC")), format=_SQLITE_DATETIME)
        elif pa.types.is_date(t):
            arr = arr.cast(pa.string())
    t = arr.type
    # Through NumPy where the result is exact (it is ~10x faster than to_pylist): strings, and ints, bools and
    # dates without nulls. Timestamps keep to_pylist so they come out timezone-aware.
    if pa.types.is_string(t) or (
        arr.null_count == 0 and (pa.types.is_integer(t) or pa.types.is_boolean(t) or pa.types.is_date(t))
    ):
        return arr.to_numpy(zero_copy_only=False).tolist()  # type: ignore[no-any-return]
    return arr.to_pylist()  # type: ignore[no-any-return]


def bulk_upsert(conn: Connection, table_name: str, columns: Mapping[str, pa.Array]) -> int:
    """Upsert the rows given column-wise; return how many were inserted or changed (identical rows: 0)."""
    table = metadata.tables[table_name]  # the import tables and the roster (agents, assignments)
    values = [_db_values(conn, columns[c.name]) for c in table.columns]
    rows = list(zip(*values, strict=True))
    if not rows:
        return 0
    result = conn.exec_driver_sql(upsert_sql(conn, table), rows)
    return int(result.rowcount)


def insert_rows(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert `rows` (dicts with the same keys, column names of `table`) in the caller's transaction; return how
    many. On PostgreSQL one `COPY ... FROM STDIN` (94,000 bucket spells: 0.72-0.77 s and 0.10 s of client CPU,
    against 1.50-1.68 s and about 1 s through SQLAlchemy's executemany); elsewhere SQLAlchemy's executemany. A row
    that breaks a constraint fails the whole call, as an INSERT would, and the caller's transaction then rolls
    back."""
    if not rows:
        return 0
    names = list(rows[0])
    unknown = [n for n in names if n not in table.c]
    if unknown:
        raise ValueError(f"{table.name}: no column {', '.join(unknown)}")
    if conn.dialect.name != "postgresql":
        conn.execute(insert(table), list(rows))
        return len(rows)
    q = conn.dialect.identifier_preparer.quote
    sql = f"COPY {q(table.name)} ({', '.join(q(n) for n in names)}) FROM STDIN"
    driver = conn.connection.driver_connection
    assert driver is not None
    dbapi_error = conn.dialect.loaded_dbapi.Error
    try:
        with driver.cursor() as cur, cur.copy(sql) as copy:
            for row in rows:
                copy.write_row([row[n] for n in names])
    except dbapi_error as exc:  # the same exception classes as SQLAlchemy's own statements raise
        raise DBAPIError.instance(sql, None, exc, dbapi_error) from exc
    return len(rows)
