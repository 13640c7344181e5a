"""Run statements on embedded DuckDB: each becomes a temp view (or a temp table when materialised)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import duckdb
import pyarrow as pa

from arrears.compute.statements import (
    ComputeError,
    InputSource,
    StatementError,
    StatementLike,
    check_names,
    is_materialized,
    parquet_files,
)

Progress = Callable[[str, int, int], None]  # (label, done, total)
ENGINE = "duckdb"


def _sql_list(paths: Sequence[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def connect(
    *,
    threads: int | None = None,
    memory_limit: str | None = None,
    config: Mapping[str, str | int | bool] | None = None,
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the given limits (e.g. threads=2, memory_limit='4GB')."""
    cfg: dict[str, str | bool | int | float | list[str]] = dict(config or {})
    if threads is not None:
        cfg["threads"] = threads
    if memory_limit is not None:
        cfg["memory_limit"] = memory_limit
    return duckdb.connect(":memory:", config=cfg)


def register_inputs(con: duckdb.DuckDBPyConnection, inputs: Mapping[str, InputSource]) -> None:
    """Arrow tables are registered as they are (no copy); Parquet files become views over `read_parquet`."""
    for name, source in inputs.items():
        if isinstance(source, pa.Table):
            con.register(name, source)
        else:
            files = parquet_files(source)
            con.execute(f"CREATE TEMP VIEW {name} AS SELECT * FROM read_parquet({_sql_list(files)})")


def run_duckdb(
    statements: Sequence[StatementLike],
    inputs: Mapping[str, InputSource],
    *,
    outputs: Sequence[str],
    threads: int | None = None,
    memory_limit: str | None = None,
    config: Mapping[str, str | int | bool] | None = None,
    progress: Progress | None = None,
) -> dict[str, pa.Table]:
    """Create each statement in order over the inputs and return the named outputs as Arrow tables.

    A statement that fails to bind or run raises `StatementError` naming it. Views are lazy, so an error that
    only appears while an output is computed is traced back to the first statement that fails on its own.
    """
    check_names(statements, inputs, outputs)
    total = len(statements) + len(outputs)
    con = connect(threads=threads, memory_limit=memory_limit, config=config)
    try:
        register_inputs(con, inputs)
        for i, s in enumerate(statements):
            kind = "TABLE" if is_materialized(s) else "VIEW"
            try:
                con.execute(f"CREATE TEMP {kind} {s.name} AS {s.sql}")
            except duckdb.Error as exc:
                raise StatementError(s.name, ENGINE, exc, s.sql) from exc
            if progress:
                progress(s.name, i + 1, total)
        result: dict[str, pa.Table] = {}
        for j, name in enumerate(outputs):
            try:
                result[name] = con.sql(f"SELECT * FROM {name}").to_arrow_table()
            except duckdb.Error as exc:
                culprit = _first_failing(con, statements, upto=name)
                if culprit is not None:
                    raise StatementError(culprit.name, ENGINE, exc, culprit.sql) from exc
                raise ComputeError(
                    f"output {name!r} failed on {ENGINE}: {type(exc).__name__}: {exc}"
                ) from exc
            if progress:
                progress(name, len(statements) + j + 1, total)
        return result
    finally:
        con.close()


def _first_failing(
    con: duckdb.DuckDBPyConnection, statements: Sequence[StatementLike], *, upto: str
) -> StatementLike | None:
    """The first statement (in order, up to `upto`) whose rows cannot be computed: the one to blame."""
    for s in statements:
        try:
            reader = con.sql(f"SELECT * FROM {s.name}").to_arrow_reader()
            for _ in reader:
                pass
        except duckdb.Error:
            return s
        if s.name.lower() == upto.lower():
            break
    return None
