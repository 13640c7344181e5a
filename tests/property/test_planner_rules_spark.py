"""The column-wise rules give the same verdicts on Spark (PySpark local mode, sqlglot-transpiled) as on
DuckDB and as the engine, on generated portfolios that cover the awkward corners (DST days abroad, invalid
zones, unreachable debtors, full caps)."""

from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from planner_rules_harness import Portfolio, engine_verdicts, mismatches
from test_planner_rules_equivalence import ENGINES, PACKS, STATEMENTS, portfolio_st

from arrears.compute import local_spark, run_duckdb, run_spark
from arrears.planner.relations import RELATIONS

pytestmark = [pytest.mark.spark, pytest.mark.slow]

ARROW = {"VARCHAR": pa.string(), "INTEGER": pa.int32(), "BIGINT": pa.int64(), "BOOLEAN": pa.bool_(),
         "DATE": pa.date32()}


def arrow_inputs(pf: Portfolio) -> dict[str, pa.Table]:
    out = {}
    for rel in RELATIONS:
        schema = pa.schema([(c, ARROW[t]) for c, t in rel.columns])
        rows = pf.rows(rel)
        out[rel.name] = pa.table({c: [r[i] for r in rows] for i, c in enumerate(rel.column_names)}, schema=schema)
    return out


def as_result(table: pa.Table) -> dict[int, tuple[str, str]]:
    return {int(r["cand_id"]): (r["verdict"], r["rule_ids"]) for r in table.to_pylist()}


@pytest.fixture(scope="module")
def spark():  # type: ignore[no-untyped-def]
    session = local_spark(app_name="arrears-rules-parity")
    yield session
    session.stop()


def test_spark_equals_duckdb_equals_engine(spark) -> None:  # type: ignore[no-untyped-def]
    seen = 0

    @settings(max_examples=3, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(pf=portfolio_st())
    def check(pf: Portfolio) -> None:
        nonlocal seen
        inputs = arrow_inputs(pf)
        for pack in PACKS:
            st = STATEMENTS[pack, pf.plan_date]
            duck = as_result(run_duckdb(st, inputs, outputs=["verdicts"])["verdicts"])
            spk = as_result(run_spark(st, inputs, outputs=["verdicts"], spark=spark)["verdicts"])
            assert not mismatches(spk, duck), mismatches(spk, duck)
            assert not mismatches(duck, engine_verdicts(pf, pack, ENGINES[pack]))
            seen += len(duck)

    check()
    assert seen > 0
