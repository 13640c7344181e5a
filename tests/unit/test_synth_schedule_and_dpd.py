"""Schedules are consistent with principal and APR, and the DPD of every loan can be recomputed from the
written instalments and payments (applied oldest instalment first)."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from arrears.delinquency import dpd_on, replay
from arrears.domain.enums import HoldKind, LenderType
from arrears.domain.hold import Hold
from arrears.domain.loan import Instalment, Loan, Payment
from arrears.portfolio.synth import synthesize
from arrears.portfolio.synth.loans import schedule

AS_OF = date(2026, 3, 10)


def test_equal_instalment_schedule_worked_example() -> None:
    # ¥1,200.00 at 12% a year over 3 months: i = 1%/month, annuity = 1200 x 0.01 / (1 - 1.01^-3) = 408.0265 -> 408.03
    # k=1: interest 1200.00 x 1% = 12.00, principal 396.03, balance 803.97
    # k=2: interest 8.0397 -> 8.04, principal 399.99, balance 403.98
    # k=3: interest 4.0398 -> 4.04, principal = the rest 403.98
    prin, intr = schedule(np.array([120000]), np.array([1200]), np.array([3]))
    assert prin[0, :3].tolist() == [39603, 39999, 40398]
    assert intr[0, :3].tolist() == [1200, 804, 404]
    assert prin[0, 3:].sum() == 0 and intr[0, 3:].sum() == 0


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth")
    synthesize(out, accounts=2000, seed=5, as_of=AS_OF, chunk_size=1000)
    return out


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_schedules_repay_exactly_the_principal_monthly(written: Path) -> None:
    loans = {r["loan_id"]: r for r in _rows(written / "loans.csv")}
    plan: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in _rows(written / "instalments.csv"):
        plan[r["loan_id"]].append(r)
    assert set(plan) == set(loans)
    for loan_id, rows in plan.items():
        loan = loans[loan_id]
        assert len(rows) in (3, 6, 12, 24)
        assert sum(int(r["principal_minor"]) for r in rows) == int(loan["principal_minor"])
        assert [int(r["seq"]) for r in rows] == list(range(1, len(rows) + 1))
        contract = date.fromisoformat(loan["contract_date"])
        first = date.fromisoformat(rows[0]["due_date"])
        assert first.day == contract.day <= 28
        assert (first.year * 12 + first.month) - (contract.year * 12 + contract.month) == 1
        # first month's interest = principal x APR / 12, rounded to the 分
        expected = (int(loan["principal_minor"]) * int(loan["apr_all_in_bp"]) + 60000) // 120000
        assert int(rows[0]["interest_minor"]) == expected


def test_dpd_agrees_with_a_plain_oldest_first_recomputation(written: Path) -> None:
    dues: dict[str, list[tuple[date, int]]] = defaultdict(list)
    for r in _rows(written / "instalments.csv"):
        total = int(r["principal_minor"]) + int(r["interest_minor"]) + int(r["fee_minor"] or 0)
        dues[r["loan_id"]].append((date.fromisoformat(r["due_date"]), total))
    paid: dict[str, int] = defaultdict(int)
    for r in _rows(written / "payments.csv"):
        assert r["paid_at"][:10] < AS_OF.isoformat()
        paid[r["loan_id"]] += int(r["amount_minor"])
    truth = {
        r["loan_id"]: r["dpd"] for r in pq.read_table(written / "_truth" / "propensity.parquet").to_pylist()
    }
    checked = 0
    for loan_id, plan in dues.items():
        left = paid[loan_id]
        dpd = 0
        for due, total in plan:  # oldest first
            if left >= total:
                left -= total
                continue
            if due < AS_OF:
                dpd = (AS_OF - due).days
            break
        assert left < max(total for _, total in plan)  # no overpayment beyond one instalment
        assert truth[loan_id] == dpd, loan_id
        checked += 1
    assert checked == len(truth) > 2000
    assert sum(1 for v in truth.values() if v > 0) > 200


def test_dpd_agrees_with_the_delinquency_engine(written: Path) -> None:
    """The engine charges 罚息 first and pauses DPD on hold days; truth DPD is calendar days."""
    loans = {r["loan_id"]: r for r in _rows(written / "loans.csv")}
    plan: dict[str, list[Instalment]] = defaultdict(list)
    for r in _rows(written / "instalments.csv"):
        plan[r["loan_id"]].append(
            Instalment(r["loan_id"], int(r["seq"]), date.fromisoformat(r["due_date"]), int(r["principal_minor"]),
                       int(r["interest_minor"]), int(r["fee_minor"] or 0))
        )  # fmt: skip
    pays: dict[str, list[Payment]] = defaultdict(list)
    for r in _rows(written / "payments.csv"):
        pays[r["loan_id"]].append(
            Payment(
                r["payment_id"], r["loan_id"], datetime.fromisoformat(r["paid_at"]), int(r["amount_minor"])
            )
        )
    holds: dict[str, list[Hold]] = defaultdict(list)
    for r in _rows(written / "holds.csv"):
        holds[r["borrower_id"]].append(
            Hold(r["hold_id"], r["borrower_id"], HoldKind(r["kind"]), date.fromisoformat(r["start"]),
                 date.fromisoformat(r["end"]) if r["end"] else None, r["reason"], r["loan_id"] or None)
        )  # fmt: skip
    truth = {
        r["loan_id"]: r["dpd"] for r in pq.read_table(written / "_truth" / "propensity.parquet").to_pylist()
    }
    late_paid = 0
    for loan_id in sorted(loans)[::3]:  # a third of the loans
        r = loans[loan_id]
        loan = Loan(loan_id, r["borrower_id"], r["lender"], LenderType(r["lender_type"]), r["licence"],
                    r["product"], r["currency"], int(r["principal_minor"]), int(r["apr_all_in_bp"]),
                    date.fromisoformat(r["contract_date"]))  # fmt: skip
        run = replay(loan, plan[loan_id], pays[loan_id], holds[r["borrower_id"]], through=AS_OF)
        dpd = dpd_on(run, AS_OF)
        assert dpd.days + dpd.paused_days == truth[loan_id], loan_id
        late_paid += sum(p.penalty_paid_minor > 0 for p in run.positions)
    assert late_paid > 100  # late payers did pay penalties
