"""The same planner statements on DuckDB and on Spark (PySpark, local mode) give the same plan.

A small synthetic portfolio is prepared once into the planner's input relations (Arrow tables); the full
statement list (segments, strategy, candidates, every compliance rule, routing, worklists, holdbacks) then
runs through `run_duckdb` and through `run_spark` (each statement transpiled by sqlglot), and every output
relation must hold the same rows. One SparkSession for the module. Also: the Spark runner's own behaviour.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pytest

from arrears.compute import (
    SMALL_DATA_CONF,
    StatementError,
    TranspileError,
    local_spark,
    run_duckdb,
    run_spark,
)
from arrears.compute.duck import connect
from arrears.delinquency.buckets import load_bucket_scheme
from arrears.planner.inputs import DELINQUENCY, SCORES
from arrears.planner.pipeline import OUTPUTS, PlanSpec, plan_statements
from arrears.planner.sql import Statement
from arrears.portfolio.synth import synthesize
from arrears.services import plan_inputs as pin
from arrears.services.plan_ledger import delinquency_from_parquet
from arrears.services.planning import make_spec, statement_inputs

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

pytestmark = [pytest.mark.spark, pytest.mark.slow]

AS_OF = date(2026, 3, 10)
ACCOUNTS = 600
# Besides the plan's outputs, the relations that carry the compliance answer and the routing.
ALSO_COMPARED = ("candidates", "verdicts", "routed")


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    session = local_spark(app_name="arrears-parity", conf=SMALL_DATA_CONF)
    yield session
    session.stop()


@dataclass(frozen=True)
class Prepared:
    spec: PlanSpec
    inputs: dict[str, pa.Table]
    statements: tuple[Statement, ...]


def _score(loan_id: str) -> float:
    """A stable pseudo-score in [0, 1) per loan: exercises score-weighted ranking without training a model."""
    return int.from_bytes(hashlib.blake2b(loan_id.encode(), digest_size=4).digest(), "big") / 2**32


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    return prepare(tmp_path_factory.mktemp("parity") / "portfolio")


def prepare(directory: Path, accounts: int = ACCOUNTS) -> Prepared:
    """A synthetic portfolio as the planner's input relations (Arrow), and the plan's statements."""
    synthesize(directory, accounts=accounts, seed=7, as_of=AS_OF, fmt="parquet")
    spec = make_spec(AS_OF, "cn_floor", "cn_default")
    con = connect(threads=2)
    try:
        pin.register_parquet(con, directory)
        pin.create_inputs(con, AS_OF)
        dq, _ = delinquency_from_parquet(con, plan_date=AS_OF, scheme=load_bucket_scheme())
        pin.register_arrow(con, DELINQUENCY.name, dq)
        loans = dq.column("loan_id").to_pylist()
        scores = pa.table({"loan_id": pa.array(loans, pa.string()),
                           "score": pa.array([_score(x) for x in loans], pa.float64())})  # fmt: skip
        pin.register_arrow(con, SCORES.name, scores)
        pin.empty(con, next(r for r in pin.ALL_INPUTS if r.name == "promises"))
        inputs = statement_inputs(con, spec)
    finally:
        con.close()
    return Prepared(spec, inputs, plan_statements(spec))


def _value(v: Any) -> Any:
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    if isinstance(v, float):
        # sums of doubles may be added up in another order on another engine: compare to 12 significant digits
        return float(f"{v:.12g}") if math.isfinite(v) else v
    return v


def _rows(t: pa.Table) -> list[tuple[Any, ...]]:
    rows = [tuple(_value(v) for v in r.values()) for r in t.to_pylist()]
    return sorted(rows, key=lambda r: tuple((v is None, str(v)) for v in r))


def test_the_plan_is_identical_on_duckdb_and_spark(prepared: Prepared, spark: SparkSession) -> None:
    outputs = [*OUTPUTS, *ALSO_COMPARED]
    started = time.perf_counter()
    duck = run_duckdb(prepared.statements, prepared.inputs, outputs=outputs, threads=2)
    spark_out = run_spark(prepared.statements, prepared.inputs, outputs=outputs, spark=spark)
    elapsed = time.perf_counter() - started
    assert duck["plan_contacts"].num_rows > 0, "the portfolio should yield some planned contacts"
    assert duck["plan_holdbacks"].num_rows > 0
    assert duck["verdicts"].num_rows > 0
    for name in outputs:
        d, s = duck[name], spark_out[name]
        assert [c.lower() for c in s.column_names] == [c.lower() for c in d.column_names], name
        assert s.num_rows == d.num_rows, f"{name}: duckdb {d.num_rows} rows, spark {s.num_rows}"
        assert _rows(s) == _rows(d), name
    print(f"parity: {len(prepared.statements)} statements, both engines in {elapsed:.1f} s")


# --- the Spark runner itself --------------------------------------------------------------------------------
CALLS = pa.table({"borrower_id": ["B1", "B1", "B2"], "channel": ["call", "sms", "call"], "at_s": [1, 2, 3]})


def test_spark_runs_materialised_and_plain_steps_over_arrow_and_parquet(
    spark: SparkSession, tmp_path: Path
) -> None:
    import pyarrow.parquet as pq

    pq.write_table(CALLS, tmp_path / "calls.parquet")
    steps = [
        Statement("calls", "SELECT borrower_id FROM attempts WHERE channel = 'call'", materialize=True),
        Statement("n", "SELECT borrower_id, CAST(count(*) AS BIGINT) AS n FROM calls GROUP BY borrower_id"),
    ]
    for source in (CALLS, tmp_path / "calls.parquet"):
        out = run_spark(steps, {"attempts": source}, outputs=["n"], spark=spark)["n"]
        assert sorted(out.to_pylist(), key=str) == [
            {"borrower_id": "B1", "n": 1},
            {"borrower_id": "B2", "n": 1},
        ]
    assert not spark.catalog.tableExists("calls"), "the run's temp views are dropped afterwards"


def test_a_statement_spark_rejects_names_itself(spark: SparkSession) -> None:
    steps = [
        Statement("fine", "SELECT * FROM attempts"),
        Statement("asof_join", "SELECT a.x FROM t a POSITIONAL JOIN u b"),
    ]
    with pytest.raises(StatementError) as err:
        run_spark(steps, {"attempts": CALLS}, outputs=["fine"], spark=spark)
    assert err.value.statement == "asof_join" and err.value.engine == "spark"
    assert "'asof_join' failed on spark" in str(err.value)


def test_a_statement_sqlglot_cannot_read_names_itself_before_spark_runs_anything(spark: SparkSession) -> None:
    with pytest.raises(TranspileError) as err:
        run_spark([Statement("cut_short", "SELECT borrower_id FROM attempts WHERE")], {"attempts": CALLS},
                  outputs=["cut_short"], spark=spark)  # fmt: skip
    assert err.value.statement == "cut_short"


def test_a_runtime_failure_is_traced_to_its_statement_on_spark(spark: SparkSession) -> None:
    steps = [
        Statement("ok", "SELECT borrower_id FROM attempts"),
        Statement(
            "bad_cast", "SELECT CAST(channel AS INTEGER) AS c FROM attempts"
        ),  # fails at run time (ANSI)
        Statement("total", "SELECT sum(c) AS s FROM bad_cast"),
    ]
    with pytest.raises(StatementError) as err:
        run_spark(steps, {"attempts": CALLS}, outputs=["total"], spark=spark)
    assert err.value.statement == "bad_cast"
