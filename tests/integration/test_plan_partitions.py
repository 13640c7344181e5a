"""The plan computed in borrower ranges equals the plan computed in one go, row for row.

`services.planning.run_plan` runs the per-borrower statements once per range of `borrower_id` and the
cross-borrower ones (routing, capacity, outputs) over the union. On a generated portfolio, with scores, agents
short of capacity, open promises and today's callbacks, every output (and the chosen contacts, their
`cand_id`s included) must be the same for 1 range, several ranges, and the statement list run whole by
`compute.run_duckdb` (the form Spark runs, `test_plan_spark_parity`).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from arrears.compute import run_duckdb
from arrears.compute.duck import connect
from arrears.delinquency.buckets import load_bucket_scheme
from arrears.planner.inputs import DELINQUENCY, FOLLOW_UPS, PROMISES, epoch_day
from arrears.planner.pipeline import OUTPUTS, plan_statements
from arrears.portfolio.synth import synthesize
from arrears.services import plan_inputs as pin
from arrears.services.plan_ledger import delinquency_from_parquet
from arrears.services.planning import make_spec, partition_bounds, run_plan, statement_inputs

pytestmark = pytest.mark.slow

AS_OF = date(2026, 3, 10)
ACCOUNTS = 1500
COMPARED = (*OUTPUTS, "proposed", "routed")


def _score(loan_id: str) -> float:
    return int.from_bytes(hashlib.blake2b(loan_id.encode(), digest_size=4).digest(), "big") / 2**32


def _workspace(con: duckdb.DuckDBPyConnection) -> None:
    """Open promises due today (every 29th account) and callbacks agreed for 10:00 (every 11th), so the
    promise and callback steps cross range boundaries too."""
    rows = con.execute(
        "SELECT borrower_id, MIN(loan_id) FROM delinquency GROUP BY borrower_id ORDER BY borrower_id"
    ).fetchall()
    day = epoch_day(AS_OF)
    at_10 = int(datetime(2026, 3, 10, 2, tzinfo=UTC).timestamp())  # 10:00 in Asia/Shanghai
    promised = rows[::29]
    called = rows[::11]
    con.execute("DROP VIEW IF EXISTS follow_ups")  # `create_inputs` made it empty
    pin.register_arrow(con, PROMISES.name, pa.table({
        "borrower_id": [b for b, _ in promised], "loan_id": [loan for _, loan in promised],
        "due_day": pa.array([day] * len(promised), pa.int32()), "state": ["open"] * len(promised),
        "made_at_s": pa.array([at_10 - 86400 * 5] * len(promised), pa.int64()),
        "grace_days": pa.array([2] * len(promised), pa.int32()),
    }))  # fmt: skip
    pin.register_arrow(con, FOLLOW_UPS.name, pa.table({
        "borrower_id": [b for b, _ in called], "task_id": pa.array(range(len(called)), pa.int64()),
        "kind": ["callback"] * len(called), "due_at_s": pa.array([at_10] * len(called), pa.int64()),
        "party_id": [b for b, _ in called], "contact_point_id": pa.array([None] * len(called), pa.string()),
        "agent_id": pa.array([None] * len(called), pa.string()),
    }))  # fmt: skip


def _connection(directory: Path) -> duckdb.DuckDBPyConnection:
    """Every planner input of the portfolio in a fresh connection; agents' capacity halved."""
    con = connect(threads=2)
    pin.register_parquet(con, directory)
    pin.create_inputs(con, AS_OF)
    con.execute("UPDATE agents SET daily_capacity = GREATEST(1, daily_capacity // 2)")
    dq, _ = delinquency_from_parquet(con, plan_date=AS_OF, scheme=load_bucket_scheme())
    pin.register_arrow(con, DELINQUENCY.name, dq)
    loans = dq.column("loan_id").to_pylist()
    scores = pa.table({"loan_id": pa.array(loans, pa.string()),
                       "score": pa.array([_score(x) for x in loans], pa.float64())})  # fmt: skip
    pin.register_arrow(con, "scores", scores)
    _workspace(con)
    return con


def _plan(directory: Path, partition_accounts: int) -> tuple[dict[str, pa.Table], int]:
    spec = make_spec(AS_OF, "cn_floor", "cn_default")
    con = _connection(directory)
    try:
        out = run_plan(con, spec, partition_accounts=partition_accounts)
        out |= {n: con.sql(f"SELECT * FROM {n}").to_arrow_table() for n in COMPARED if n not in out}
        ranges = len(partition_bounds(con, partition_accounts))
    finally:
        con.close()
    return out, ranges


def _whole(directory: Path) -> dict[str, pa.Table]:
    """The statement list as Spark runs it: whole, by `run_duckdb`, from the same inputs as Arrow tables."""
    spec = make_spec(AS_OF, "cn_floor", "cn_default")
    con = _connection(directory)
    try:
        inputs = statement_inputs(con, spec)
    finally:
        con.close()
    return run_duckdb(plan_statements(spec), inputs, outputs=list(COMPARED), threads=2)


def _rows(t: pa.Table) -> list[tuple[Any, ...]]:
    rows = [tuple(r.values()) for r in t.to_pylist()]
    return sorted(rows, key=lambda r: tuple((v is None, str(v)) for v in r))


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("partitions") / "portfolio"
    synthesize(directory, accounts=ACCOUNTS, seed=11, as_of=AS_OF, fmt="parquet")
    return directory


def test_the_plan_in_borrower_ranges_equals_the_plan_in_one(portfolio: Path) -> None:
    one, n_one = _plan(portfolio, 10 * ACCOUNTS)
    many, n_many = _plan(portfolio, 230)
    assert (n_one, n_many) == (1, 6), "1 range, then several (230 accounts each)"
    contacts, holdbacks = one["plan_contacts"], one["plan_holdbacks"]
    assert contacts.num_rows > 0 and one["plan_worklists"].num_rows > 0
    reasons = set(holdbacks.column("reason").to_pylist())
    assert {"capacity", "review", "no_contact_point", "not_due"} <= reasons, reasons
    assert any(contacts.column("promise_due").to_pylist()) and any(contacts.column("callback").to_pylist())
    for name in COMPARED:
        assert many[name].schema == one[name].schema, name
        assert _rows(many[name]) == _rows(one[name]), name


def test_the_partitioned_run_equals_the_statements_run_whole(portfolio: Path) -> None:
    many, _ = _plan(portfolio, 400)
    whole = _whole(portfolio)
    for name in COMPARED:
        assert _rows(many[name]) == _rows(whole[name]), name
