"""Run statements on Apache Spark: each is transpiled to Spark SQL (sqlglot) and registered as a temp view.

PySpark is imported only when a Spark function is called, so DuckDB users never load it. `local_spark()` is a
small local session for tests and one-machine runs: local[2], few shuffle partitions, no UI, UTC, quiet logs.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

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
from arrears.compute.transpile import to_spark_sql

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

Progress = Callable[[str, int, int], None]
ENGINE = "spark"

_LOG4J = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""


# For tests on a few thousand rows: interpret expressions instead of generating and compiling Java for each
# query (compiling dominates at that size: about 2x faster end to end). `factoryMode` is an internal Spark
# setting, used by Spark's own tests; leave codegen on for real data.
SMALL_DATA_CONF: Mapping[str, str] = {
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.codegen.factoryMode": "NO_CODEGEN",
}


@lru_cache(maxsize=1)
def _log4j_file() -> Path:
    path = Path(tempfile.gettempdir()) / f"arrears-spark-log4j2-{os.getuid()}.properties"
    path.write_text(_LOG4J, encoding="utf-8")
    return path


def local_spark(
    *,
    cores: int = 2,
    shuffle_partitions: int = 4,
    driver_memory: str = "2g",
    app_name: str = "arrears",
    conf: Mapping[str, str] | None = None,
) -> SparkSession:
    """A local SparkSession (or the one already running): UTC, no UI, errors-only logging. `conf`: more settings."""
    from pyspark.sql import SparkSession

    os.environ.setdefault(
        "SPARK_LOCAL_IP", "127.0.0.1"
    )  # no "hostname resolves to a loopback address" warning
    java_opts = f"-Dlog4j2.configurationFile=file:{_log4j_file()} -Duser.timezone=UTC"
    builder = SparkSession.builder
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    spark = (
        builder.master(f"local[{cores}]")
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.default.parallelism", str(cores))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", driver_memory)
        .config("spark.driver.extraJavaOptions", java_opts)
        .config("spark.executor.extraJavaOptions", java_opts)
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    # PySpark logs every query error with its JVM stack trace; the runners re-raise it naming the statement.
    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    return spark


def _errors() -> tuple[type[BaseException], ...]:
    from py4j.protocol import Py4JError  # type: ignore[import-untyped]
    from pyspark.errors import PySparkException

    return (PySparkException, Py4JError)


def _input_frame(spark: SparkSession, source: InputSource) -> DataFrame:
    if isinstance(source, pa.Table):
        return spark.createDataFrame(source)
    return spark.read.parquet(*(str(p) for p in parquet_files(source)))


def run_spark(
    statements: Sequence[StatementLike],
    inputs: Mapping[str, InputSource],
    *,
    outputs: Sequence[str],
    spark: SparkSession | None = None,
    progress: Progress | None = None,
) -> dict[str, pa.Table]:
    """Transpile and register each statement in order, then collect the named outputs as Arrow tables.

    Without `spark`, `local_spark()` is used (and left running: creating a session costs seconds). The temp
    views this run created are dropped at the end, so runs on one session do not see each other's relations.
    """
    check_names(statements, inputs, outputs)
    errors = _errors()
    session = spark if spark is not None else local_spark()
    total = len(statements) + len(outputs)
    created: list[str] = []
    try:
        for name, source in inputs.items():
            try:
                _input_frame(session, source).createOrReplaceTempView(name)
            except errors as exc:
                raise ComputeError(f"input {name!r} cannot be read by {ENGINE}: {exc}") from exc
            created.append(name)
        for i, s in enumerate(statements):
            sql = to_spark_sql(s)
            try:
                df = session.sql(sql)
                if is_materialized(s):
                    df = df.localCheckpoint(eager=True)
                df.createOrReplaceTempView(s.name)
            except errors as exc:
                raise StatementError(s.name, ENGINE, exc, sql) from exc
            created.append(s.name)
            if progress:
                progress(s.name, i + 1, total)
        result: dict[str, pa.Table] = {}
        for j, name in enumerate(outputs):
            try:
                result[name] = session.table(name).toArrow()
            except errors as exc:
                culprit = _first_failing(session, statements, upto=name, errors=errors)
                if culprit is not None:
                    raise StatementError(culprit.name, ENGINE, exc, culprit.sql) from exc
                raise ComputeError(f"output {name!r} failed on {ENGINE}: {exc}") from exc
            if progress:
                progress(name, len(statements) + j + 1, total)
        return result
    finally:
        for name in created:
            session.catalog.dropTempView(name)


def _first_failing(
    spark: SparkSession,
    statements: Sequence[StatementLike],
    *,
    upto: str,
    errors: tuple[type[BaseException], ...],
) -> StatementLike | None:
    for s in statements:
        try:
            spark.table(s.name).foreach(lambda _row: None)
        except errors:
            return s
        if s.name.lower() == upto.lower():
            break
    return None
