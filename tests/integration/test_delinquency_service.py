"""compute_delinquency reads the ledger from storage, runs the engine and stores statuses and bucket spells."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Engine, RowMapping, Table, func, select

from arrears.domain import Borrower, Hold, HoldKind, Instalment, LenderType, Loan, Payment
from arrears.services.delinquency import compute_delinquency
from arrears.storage.tables import bucket_history, loan_delinquency
from arrears.storage.uow import UnitOfWork

pytestmark = pytest.mark.db
CST = timezone(timedelta(hours=8))


def _seed(engine: Engine) -> None:
    objs: list[Borrower | Loan | Instalment | Payment | Hold] = [
        Borrower("B1", "张伟", "广东省深圳市", ("Asia/Shanghai",)),
        Borrower("B2", "李娜", "北京市", ("Asia/Shanghai",)),
        # L1: licensed 18%, one instalment due 2026-01-10 (100000 + 2000), unpaid.
        Loan("L1", "B1", "示例消费金融", LenderType.LICENSED, "consumer_finance", "分期", "CNY", 100000, 1800, date(2025, 12, 10)),
        Instalment("L1", 1, date(2026, 1, 10), 100000, 2000),
        # L2: private lending at 18% on 2025-06-01 (cap 4 x 3.00% = 12%), bullet due 2025-07-01, paid on time.
        Loan("L2", "B2", "个人出借人", LenderType.PRIVATE, "none", "借条", "CNY", 1000000, 1800, date(2025, 6, 1)),
        Instalment("L2", 1, date(2025, 7, 1), 1000000, 14795),
        Payment("P1", "L2", datetime(2025, 7, 1, 10, tzinfo=CST), 1014795),
        # A hold of borrower B2 does not pause B1's loans.
        Hold("H1", "B2", HoldKind.HARDSHIP, date(2026, 1, 15), date(2026, 1, 25), "失业"),
        # L3 (B1): licensed 48%, due 2026-01-10, unpaid; a hold on L3 only (01-15..01-24) leaves L1 running.
        Loan("L3", "B1", "示例小贷", LenderType.LICENSED, "micro_lender", "分期", "CNY", 50000, 4800, date(2025, 12, 10)),
        Instalment("L3", 1, date(2026, 1, 10), 50000, 2000),
        Hold("H2", "B1", HoldKind.DISPUTE, date(2026, 1, 15), date(2026, 1, 25), "金额有争议", loan_id="L3"),
    ]
    with UnitOfWork(engine) as uow:
        uow.portfolio.add(objs)
        uow.commit()


def _rows(engine: Engine, table: Table) -> dict[tuple[Any, ...], RowMapping]:
    with engine.connect() as conn:
        return {tuple(r[:2]): r._mapping for r in conn.execute(select(table).order_by(*table.primary_key.columns))}


def test_statuses_and_bucket_spells_are_stored(engine: Engine) -> None:
    _seed(engine)
    report = compute_delinquency(engine_or_uow=engine, as_of=date(2026, 2, 10))
    assert (report.loans, report.errors) == (3, ())
    st = _rows(engine, loan_delinquency)
    l1 = st[("L1", date(2026, 2, 10))]
    # L1: 01-11..02-10 = 31 days -> M2; penalty 31 x 50 = 1550.
    assert (l1["dpd"], l1["bucket"], l1["overdue_principal_minor"], l1["overdue_penalty_minor"]) == (31, "M2", 100000, 1550)
    # L3: 31 calendar days - 10 paused (01-15..01-24) = 21 -> M1. APR 48% -> CN-RATE-2 review + excess + CN-CRIM-1.
    l3 = st[("L3", date(2026, 2, 10))]
    assert (l3["dpd"], l3["bucket"]) == (21, "M1")
    assert l3["rate_flags"] == "CN-RATE-2:review;CN-RATE-2:do_not_demand_excess;CN-CRIM-1:review"
    # L2: paid on time; private 18% > 12% cap. Charged 14795; principal-days 06-02..07-01 = 30 x 1,000,000,
    # then 0 -> allowance floor(1200 x 30e6 / 3.65e6) = 9863 -> 4932 may not be demanded (or must be reviewed).
    l2 = st[("L2", date(2026, 2, 10))]
    assert (l2["dpd"], l2["bucket"], l2["non_demandable_minor"], l2["rate_flags"]) == (
        0,
        "M0",
        4932,
        "CN-RATE-1:do_not_demand_excess",
    )
    spells = _rows(engine, bucket_history)
    # L1 from its contract date 2025-12-10: M0, M1 from 01-11, M2 from 02-10 (DPD 31), still open.
    assert [(k[1], v["bucket"], v["end_date"]) for k, v in spells.items() if k[0] == "L1"] == [
        (date(2025, 12, 10), "M0", date(2026, 1, 11)),
        (date(2026, 1, 11), "M1", date(2026, 2, 10)),
        (date(2026, 2, 10), "M2", None),
    ]
    assert report.by_bucket == (("M0", 1), ("M1", 1), ("M2", 1))
    assert report.rate_flagged == 2


def test_rerun_replaces_rows_and_a_later_date_adds_a_status(engine: Engine) -> None:
    _seed(engine)
    compute_delinquency(engine_or_uow=engine, as_of=date(2026, 2, 10))
    first = (_rows(engine, loan_delinquency), _rows(engine, bucket_history))
    # one loan per batch: each batch reads its schedules and payments as a range of loan ids after the last one
    compute_delinquency(engine_or_uow=engine, as_of=date(2026, 2, 10), batch_size=1)
    assert (_rows(engine, loan_delinquency), _rows(engine, bucket_history)) == first
    compute_delinquency(engine_or_uow=engine, as_of=date(2026, 2, 10), batch_size=2)
    assert (_rows(engine, loan_delinquency), _rows(engine, bucket_history)) == first
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(loan_delinquency)).scalar_one() == 3
        n_spells = conn.execute(select(func.count()).select_from(bucket_history)).scalar_one()
    compute_delinquency(engine_or_uow=engine, as_of=date(2026, 3, 12), loan_ids=["L1"])
    st = _rows(engine, loan_delinquency)
    # 03-12: Jan 11..31 = 21 + Feb 28 + Mar 12 = 61 -> M3
    assert (st[("L1", date(2026, 3, 12))]["dpd"], st[("L1", date(2026, 3, 12))]["bucket"]) == (61, "M3")
    assert len(st) == 4
    with engine.connect() as conn:
        # L1's history was replaced, now with one more spell (M3 from 03-12)
        assert conn.execute(select(func.count()).select_from(bucket_history)).scalar_one() == n_spells + 1


def test_a_broken_ledger_is_reported_and_the_other_loans_are_still_written(engine: Engine) -> None:
    _seed(engine)
    with UnitOfWork(engine) as uow:
        uow.portfolio.add(
            [
                Loan("L9", "B2", "示例银行", LenderType.LICENSED, "bank", "信用贷", "CNY", 1000, 1000, date(2025, 12, 1)),
                Instalment("L9", 1, date(2026, 1, 1), 1000, -5),  # a negative interest amount
            ]
        )
        uow.commit()
    report = compute_delinquency(engine_or_uow=engine, as_of=date(2026, 2, 10))
    assert report.loans == 3
    assert len(report.errors) == 1 and report.errors[0].startswith("loan L9:") and "negative" in report.errors[0]
    assert ("L9", date(2026, 2, 10)) not in _rows(engine, loan_delinquency)
