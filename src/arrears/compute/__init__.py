"""Run the planner's SQL statements on a columnar engine: DuckDB embedded (default) or Apache Spark.

One source of truth: statements are written once in DuckDB's dialect; `run_duckdb` executes them as they are,
`run_spark` transpiles each with sqlglot to Spark SQL. Inputs are Arrow tables or Parquet files; outputs come
back as Arrow tables. An edge package: the core never imports it.
"""

from __future__ import annotations

from arrears.compute.duck import run_duckdb
from arrears.compute.spark import SMALL_DATA_CONF, local_spark, run_spark
from arrears.compute.statements import (
    ComputeError,
    InputSource,
    StatementError,
    StatementLike,
    is_materialized,
)
from arrears.compute.transpile import TranspileError, to_spark_sql

__all__ = [
    "SMALL_DATA_CONF",
    "ComputeError",
    "InputSource",
    "StatementError",
    "StatementLike",
    "TranspileError",
    "is_materialized",
    "local_spark",
    "run_duckdb",
    "run_spark",
    "to_spark_sql",
]
