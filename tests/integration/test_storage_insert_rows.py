"""storage.bulk.insert_rows: many plain rows in the caller's transaction (COPY on PostgreSQL, executemany on
SQLite). The rows arrive as given; a bad column is named; a row that breaks a key fails the call and the
transaction leaves nothing behind."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from arrears.domain import Borrower, LenderType, Loan
from arrears.storage.bulk import insert_rows
from arrears.storage.tables import bucket_history
from arrears.storage.uow import UnitOfWork

pytestmark = pytest.mark.db


def _loans(engine: Engine) -> None:
    loans = [
        Loan(
            loan_id, "B1", "示例消费金融", LenderType.LICENSED, "x", "分期", "CNY", 1, 1800, date(2025, 1, 1)
        )
        for loan_id in ("L1", "L2")
    ]
    with UnitOfWork(engine) as uow:
        uow.portfolio.add([Borrower("B1", "张伟", "广东省深圳市", ("Asia/Shanghai",)), *loans])
        uow.commit()


def _spells(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(bucket_history).order_by(*bucket_history.primary_key))]


def test_rows_are_inserted_as_given_with_dates_nulls_and_chinese_text(engine: Engine) -> None:
    _loans(engine)
    rows = [
        {"loan_id": "L1", "start_date": date(2025, 1, 1), "bucket": "M0", "end_date": date(2025, 2, 1)},
        {"loan_id": "L1", "start_date": date(2025, 2, 1), "bucket": "逾期M1", "end_date": None},
        {"loan_id": "L2", "start_date": date(2025, 1, 1), "bucket": "M0", "end_date": None},
    ]
    with engine.begin() as conn:
        assert insert_rows(conn, bucket_history, rows) == 3
        assert insert_rows(conn, bucket_history, []) == 0
    assert _spells(engine) == [
        ("L1", date(2025, 1, 1), "M0", date(2025, 2, 1)),
        ("L1", date(2025, 2, 1), "逾期M1", None),
        ("L2", date(2025, 1, 1), "M0", None),
    ]


def test_an_unknown_column_is_named_and_nothing_is_written(engine: Engine) -> None:
    _loans(engine)
    with pytest.raises(ValueError, match="bucket_history: no column bucket_name"), engine.begin() as conn:
        insert_rows(
            conn, bucket_history, [{"loan_id": "L1", "start_date": date(2025, 1, 1), "bucket_name": "M0"}]
        )
    assert _spells(engine) == []


def test_a_duplicate_key_fails_the_call_and_the_transaction_keeps_nothing(engine: Engine) -> None:
    _loans(engine)
    row = {"loan_id": "L1", "start_date": date(2025, 1, 1), "bucket": "M0", "end_date": None}
    with engine.begin() as conn:
        insert_rows(conn, bucket_history, [row])
    with pytest.raises(IntegrityError), engine.begin() as conn:
        insert_rows(conn, bucket_history, [{**row, "loan_id": "L2"}, row])
    assert _spells(engine) == [("L1", date(2025, 1, 1), "M0", None)]
