"""The plan's Parquet ledger stage (`services.plan_ledger`) agrees with the scalar delinquency engine, loan by
loan, on a synthetic portfolio read in several chunks; and chunking changes neither delinquency nor scores."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from arrears.compute.duck import connect
from arrears.delinquency import assess, load_bucket_scheme, load_lpr_table
from arrears.domain import Hold, HoldKind, Instalment, LenderType, Loan, Payment
from arrears.planner.inputs import EPOCH_ORDINAL
from arrears.portfolio.synth import synthesize
from arrears.scoring import evaluate
from arrears.scoring import model as scoring_model
from arrears.services import plan_inputs as pin
from arrears.services.plan_ledger import _chunk_ledger, delinquency_from_parquet

AS_OF = date(2026, 3, 10)
SCHEME = load_bucket_scheme()


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("ledger") / "portfolio"
    synthesize(directory, accounts=400, seed=11, as_of=AS_OF, fmt="parquet")
    return directory


def _rows(directory: Path, name: str) -> list[dict[str, object]]:
    return pq.read_table(directory / f"{name}.parquet").to_pylist()  # type: ignore[no-any-return]


def _domain(
    directory: Path,
) -> tuple[list[Loan], dict[str, list[Instalment]], dict[str, list[Payment]], list[Hold]]:
    loans = [
        Loan(
            r["loan_id"],
            r["borrower_id"],
            r["lender"],
            LenderType(r["lender_type"]),
            r["licence"],
            r["product"],
            r["currency"],
            r["principal_minor"],
            r["apr_all_in_bp"],
            r["contract_date"],
        )
        for r in _rows(directory, "loans")
    ]
    insts: dict[str, list[Instalment]] = defaultdict(list)
    for r in _rows(directory, "instalments"):
        insts[str(r["loan_id"])].append(
            Instalment(
                r["loan_id"],
                r["seq"],
                r["due_date"],
                r["principal_minor"],
                r["interest_minor"],
                r["fee_minor"] or 0,
            )
        )
    pays: dict[str, list[Payment]] = defaultdict(list)
    for r in _rows(directory, "payments"):
        pays[str(r["loan_id"])].append(
            Payment(
                r["payment_id"], r["loan_id"], datetime.fromisoformat(str(r["paid_at"])), r["amount_minor"]
            )
        )
    holds = [
        Hold(
            r["hold_id"],
            r["borrower_id"],
            HoldKind(r["kind"]),
            r["start"],
            r["end"],
            r["reason"] or "",
            loan_id=r["loan_id"],
        )
        for r in _rows(directory, "holds")
    ]
    return loans, insts, pays, holds


def _delinquency(directory: Path, chunk: int, model_path: Path | None = None) -> tuple[pa.Table, pa.Table]:
    con = connect(threads=2)
    try:
        pin.register_parquet(con, directory)
        return delinquency_from_parquet(
            con, plan_date=AS_OF, scheme=SCHEME, model_path=model_path, chunk_borrowers=chunk
        )
    finally:
        con.close()


def test_parquet_delinquency_matches_the_scalar_engine_loan_by_loan(portfolio: Path) -> None:
    dq, _ = _delinquency(portfolio, chunk=70)  # several chunks, the last one open-ended
    got = {r["loan_id"]: r for r in dq.to_pylist()}
    loans, insts, pays, holds = _domain(portfolio)
    lpr = load_lpr_table()
    in_arrears = 0
    for loan in loans:
        s = assess(loan, insts[loan.id], pays[loan.id], holds, as_of=AS_OF, scheme=SCHEME, lpr=lpr)
        future = [i.due_date for i in insts[loan.id] if i.due_date >= AS_OF]
        if s.dpd == 0 and not future:
            assert loan.id not in got  # closed: nothing to plan
            continue
        row = got[loan.id]
        overdue = s.overdue_principal_minor + s.overdue_interest_minor + s.overdue_fee_minor + s.penalty_minor
        assert (row["dpd"], row["bucket"], row["overdue_minor"]) == (s.dpd, s.bucket, overdue), loan.id
        assert row["borrower_id"] == loan.borrower_id and row["product"] == loan.product
        due = (AS_OF.toordinal() - s.dpd - s.paused_days) if s.dpd > 0 else min(future).toordinal()
        assert row["due_day"] == due - EPOCH_ORDINAL, loan.id
        in_arrears += s.dpd > 0
    assert in_arrears > 20 and len(got) > 200  # the sample is not vacuous


def test_chunk_size_changes_neither_delinquency_nor_scores(portfolio: Path, tmp_path: Path) -> None:
    con = connect(threads=2)
    try:
        pin.register_parquet(con, portfolio)
        ledger, _ = _chunk_ledger(con, "", None, "Asia/Shanghai")
    finally:
        con.close()
    trained = evaluate.train_time_split(ledger, AS_OF.toordinal())
    path = scoring_model.save(trained.model, tmp_path / "model.joblib")
    one_dq, one_sc = _delinquency(portfolio, chunk=10_000, model_path=path)
    many_dq, many_sc = _delinquency(portfolio, chunk=33, model_path=path)
    assert one_dq.sort_by("loan_id").equals(many_dq.sort_by("loan_id"))
    assert one_sc.num_rows == one_dq.num_rows  # one score per open loan
    a, b = one_sc.sort_by("loan_id"), many_sc.sort_by("loan_id")
    assert a.column("loan_id").equals(b.column("loan_id"))
    assert np.allclose(a.column("score").to_numpy(), b.column("score").to_numpy(), rtol=0, atol=1e-12)
