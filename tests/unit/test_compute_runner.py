"""The DuckDB runner and the DuckDB -> Spark transpiler (the Spark runner itself: tests/integration, -m spark)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from arrears.compute import (
    ComputeError,
    StatementError,
    TranspileError,
    is_materialized,
    run_duckdb,
    to_spark_sql,
)
from arrears.planner.sql import Statement

CALLS = pa.table(
    {
        "borrower_id": ["B1", "B1", "B2", "B3", "B3", "B3"],
        "channel": ["call", "sms", "call", "call", "call", "call"],
        "at_s": [100, 200, 300, 400, 500, 600],
    }
)
STEPS = [
    Statement("calls", "SELECT borrower_id, at_s FROM attempts WHERE channel = 'call'"),
    Statement(
        "per_account",
        "SELECT borrower_id, CAST(count(*) AS BIGINT) AS n, max(at_s) AS last_s FROM calls GROUP BY borrower_id",
        materialize=True,
    ),
    Statement("busiest", "SELECT borrower_id FROM per_account WHERE n = (SELECT max(n) FROM per_account)"),
]


def _rows(t: pa.Table) -> list[dict[str, object]]:
    return sorted(t.to_pylist(), key=lambda r: tuple(str(v) for v in r.values()))


def test_statements_run_in_order_over_arrow_inputs() -> None:
    out = run_duckdb(STEPS, {"attempts": CALLS}, outputs=["per_account", "busiest"])
    assert list(out) == ["per_account", "busiest"]
    assert _rows(out["per_account"]) == [
        {"borrower_id": "B1", "n": 1, "last_s": 100},
        {"borrower_id": "B2", "n": 1, "last_s": 300},
        {"borrower_id": "B3", "n": 3, "last_s": 600},
    ]
    assert out["busiest"].to_pylist() == [{"borrower_id": "B3"}]


def test_parquet_inputs_files_and_directories(tmp_path: Path) -> None:
    part = tmp_path / "attempts"
    part.mkdir()
    pq.write_table(CALLS.slice(0, 3), part / "a.parquet")
    pq.write_table(CALLS.slice(3), part / "b.parquet")
    by_dir = run_duckdb(STEPS, {"attempts": part}, outputs=["per_account"])
    by_files = run_duckdb(
        STEPS, {"attempts": [part / "a.parquet", str(part / "b.parquet")]}, outputs=["per_account"]
    )
    assert _rows(by_dir["per_account"]) == _rows(by_files["per_account"])
    assert sum(by_dir["per_account"].column("n").to_pylist()) == 5


def test_materialised_statement_is_a_table_and_others_views() -> None:
    assert is_materialized(STEPS[1]) and not is_materialized(STEPS[0])
    probe = [*STEPS, Statement("kinds", "SELECT table_name, table_type FROM information_schema.tables")]
    kinds = dict(
        (r["table_name"], r["table_type"])
        for r in run_duckdb(probe, {"attempts": CALLS}, outputs=["kinds"])["kinds"].to_pylist()
    )
    assert kinds["per_account"] == "LOCAL TEMPORARY"
    assert kinds["calls"] == "VIEW"


def test_a_statement_that_does_not_bind_names_itself() -> None:
    bad = [STEPS[0], Statement("broken_step", "SELECT no_such_column FROM calls"), STEPS[1]]
    with pytest.raises(StatementError) as err:
        run_duckdb(bad, {"attempts": CALLS}, outputs=["per_account"])
    assert err.value.statement == "broken_step"
    assert "'broken_step'" in str(err.value) and "no_such_column" in str(err.value)
    assert err.value.engine == "duckdb"


def test_a_runtime_failure_in_a_lazy_view_is_traced_to_its_statement() -> None:
    steps = [
        Statement("fine", "SELECT borrower_id FROM attempts"),
        Statement("casts", "SELECT CAST(channel AS INTEGER) AS c FROM attempts"),  # binds; fails on 'call'
        Statement("downstream", "SELECT sum(c) AS n FROM casts JOIN fine ON true"),
    ]
    with pytest.raises(StatementError) as err:
        run_duckdb(steps, {"attempts": CALLS}, outputs=["downstream"])
    assert err.value.statement == "casts"
    assert "call" in str(err.value)


def test_bad_names_and_unknown_outputs_are_refused() -> None:
    with pytest.raises(ComputeError, match="neither inputs nor statements"):
        run_duckdb(STEPS, {"attempts": CALLS}, outputs=["nope"])
    with pytest.raises(ComputeError, match="defined twice"):
        run_duckdb([Statement("attempts", "SELECT 1 AS x")], {"attempts": CALLS}, outputs=["attempts"])
    with pytest.raises(ComputeError, match="not a plain SQL identifier"):
        run_duckdb([], {"drop table x": CALLS}, outputs=[])


def test_missing_parquet_input_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ComputeError, match="input file not found"):
        run_duckdb(STEPS, {"attempts": tmp_path / "absent.parquet"}, outputs=["calls"])
    with pytest.raises(ComputeError, match=r"no \*\.parquet files"):
        run_duckdb(STEPS, {"attempts": tmp_path}, outputs=["calls"])


def test_progress_reports_each_statement_and_output() -> None:
    seen: list[tuple[str, int, int]] = []
    run_duckdb(STEPS, {"attempts": CALLS}, outputs=["busiest"], progress=lambda *a: seen.append(a))
    assert seen == [("calls", 1, 4), ("per_account", 2, 4), ("busiest", 3, 4), ("busiest", 4, 4)]


def test_threads_and_memory_limit_are_applied() -> None:
    probe = [
        Statement("settings", "SELECT current_setting('threads') AS t, current_setting('memory_limit') AS m")
    ]
    row = run_duckdb(probe, {}, outputs=["settings"], threads=1, memory_limit="512MB")[
        "settings"
    ].to_pylist()[0]
    assert int(row["t"]) == 1
    assert row["m"].replace(" ", "").upper().startswith(("512MB", "488.2MIB", "488MIB"))


# --- transpiling to Spark SQL -------------------------------------------------------------------------------
def test_duckdb_idioms_are_transpiled_to_spark() -> None:
    sql = to_spark_sql(
        Statement(
            "ranked",
            "SELECT arg_max(a, b) AS top, (x // 86400) AS day, epoch(ts) AS s FROM t GROUP BY x, ts",
        )
    )
    assert "MAX_BY(a, b)" in sql
    assert "DIV" in sql
    assert "UNIX_TIMESTAMP" in sql


def test_a_statement_that_cannot_be_parsed_names_itself() -> None:
    with pytest.raises(TranspileError) as err:
        to_spark_sql(Statement("half_written", "SELECT a FROM t WHERE"))
    assert err.value.statement == "half_written"
    assert "half_written" in str(err.value) and "sqlglot" in str(err.value)


def test_more_than_one_statement_is_refused() -> None:
    with pytest.raises(TranspileError, match="expected one SELECT"):
        to_spark_sql(Statement("two", "SELECT 1; SELECT 2"))
