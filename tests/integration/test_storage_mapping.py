"""Round trips: domain dataclass -> table row -> database -> dataclass gives back an equal value."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine

from arrears.domain import (
    Borrower,
    Channel,
    ContactAttempt,
    ContactPoint,
    ContactPointKind,
    Direction,
    Hold,
    HoldKind,
    Instalment,
    LenderType,
    Loan,
    Outcome,
    Party,
    Payment,
    Role,
    Source,
)
from arrears.storage import mapping
from arrears.storage.uow import UnitOfWork

pytestmark = pytest.mark.db

CST = timezone(timedelta(hours=8))
BORROWER = Borrower(
    id="B1",
    name="李娜",
    region="新疆乌鲁木齐市",
    timezones=("Asia/Shanghai", "Asia/Urumqi"),
    vulnerability=("serious_illness",),
    national_id_masked="650***********1234",
)
LOAN = Loan(
    "L1",
    "B1",
    "示例消费金融",
    LenderType.LICENSED,
    "consumer_finance",
    "分期",
    "CNY",
    1_200_000,
    2400,
    date(2025, 9, 10),
)
INSTALMENT = Instalment("L1", 2, date(2025, 11, 10), 400_000, 16_000, 500)
PAYMENT = Payment("P1", "L1", datetime(2025, 10, 9, 20, 15, tzinfo=CST), 424_000, "app")
PARTY = Party("Q1", "B1", Role.PARENT, "李母", relation="母亲", emergency_contact=True)
CONTACT = ContactPoint("C1", "Q1", ContactPointKind.MOBILE, "13800000002", Source.RESERVED_CONTACT_INFORMED)
ATTEMPT = ContactAttempt(
    "A1", "B1", "L1", "B1", None, Channel.SMS, Direction.OUT, Outcome.DELIVERED,
    datetime(2025, 12, 12, 10, 5, tzinfo=CST), collector_id="u1", text="您好，请留意还款。",
)  # fmt: skip
HOLD = Hold("H1", "B1", HoldKind.HARDSHIP, date(2025, 12, 1), None, "失业", loan_id="L1")


def test_every_portfolio_entity_round_trips_through_the_database(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        uow.portfolio.add([BORROWER, LOAN, INSTALMENT, PAYMENT, PARTY, ATTEMPT, HOLD])
        uow.portfolio.upsert("contact_points", [mapping.contact_point_to_row(CONTACT, borrower_id="B1")])
        uow.commit()
    with UnitOfWork(engine) as uow:
        repo = uow.portfolio
        assert repo.borrower("B1") == BORROWER
        assert repo.loans_of("B1") == [LOAN]
        assert repo.instalments_of("L1") == [INSTALMENT]
        assert repo.payments_of("L1") == [PAYMENT]
        assert repo.parties_of("B1") == [PARTY]
        assert repo.contact_points_of("B1") == [CONTACT]
        assert repo.attempts_of("B1") == [ATTEMPT]
        assert repo.holds_of("B1") == [HOLD]


def test_instants_come_back_aware_and_equal_in_utc(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        uow.portfolio.add([BORROWER, LOAN, PAYMENT])
        uow.commit()
    with UnitOfWork(engine) as uow:
        (p,) = uow.portfolio.payments_of("L1")
    assert p.paid_at.utcoffset() == timedelta(0)
    assert p.paid_at == datetime(2025, 10, 9, 12, 15, tzinfo=UTC)


def test_naive_instant_cannot_be_stored(engine: Engine) -> None:
    naive = Payment("P2", "L1", datetime(2025, 10, 9, 20, 15), 100)
    with UnitOfWork(engine) as uow:
        uow.portfolio.add([BORROWER, LOAN])
        with pytest.raises(Exception, match="naive"):
            uow.portfolio.add([naive])


def test_row_mapping_is_symmetric_without_a_database() -> None:
    assert mapping.borrower_from_row(mapping.borrower_to_row(BORROWER)) == BORROWER
    assert mapping.attempt_from_row(mapping.attempt_to_row(ATTEMPT)) == ATTEMPT
    assert mapping.contact_point_from_row(mapping.contact_point_to_row(CONTACT, borrower_id="B1")) == CONTACT
    assert mapping.borrower_to_row(BORROWER)["timezones"] == "Asia/Shanghai;Asia/Urumqi"


def test_leaving_a_unit_of_work_without_commit_rolls_back(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        uow.portfolio.add([BORROWER])
    with UnitOfWork(engine) as uow:
        assert uow.portfolio.borrower("B1") is None
