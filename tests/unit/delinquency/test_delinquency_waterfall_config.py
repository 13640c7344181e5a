"""The payment waterfall order and the penalty rate are configuration."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from arrears.delinquency import Component, EngineConfig, LedgerError, replay
from arrears.domain import Instalment, LenderType, Loan, Payment

CST = timezone(timedelta(hours=8))
LOAN = Loan("L1", "B1", "Lender", LenderType.LICENSED, "bank", "cash", "CNY", 100000, 1800, date(2025, 12, 10))
ONE = (Instalment("L1", 1, date(2026, 1, 10), 100000, 2000, fee_minor=1000),)


def _paid_on(day: date, amount: int) -> Payment:
    return Payment("P1", "L1", datetime(day.year, day.month, day.day, 9, tzinfo=CST), amount)


def test_default_waterfall_pays_penalty_fee_interest_then_principal() -> None:
    # Paid 01-20: penalty 10 days x 100000 x 0.0005 = 500; 5000 pays penalty 500, fee 1000, interest 2000,
    # principal 1500.
    p = replay(LOAN, ONE, (_paid_on(date(2026, 1, 20), 5000),), through=date(2026, 1, 20)).positions[0]
    assert (p.penalty_paid_minor, p.fee_paid_minor, p.interest_paid_minor, p.principal_paid_minor) == (
        500,
        1000,
        2000,
        1500,
    )


def test_principal_first_waterfall_leaves_charges_unpaid() -> None:
    order = (Component.PRINCIPAL, Component.INTEREST, Component.FEE, Component.PENALTY)
    config = EngineConfig(waterfall=order)
    p = replay(LOAN, ONE, (_paid_on(date(2026, 1, 20), 5000),), through=date(2026, 1, 20), config=config).positions[0]
    assert (p.principal_paid_minor, p.interest_paid_minor, p.fee_paid_minor, p.penalty_paid_minor) == (5000, 0, 0, 0)


def test_penalty_rate_is_configurable() -> None:
    # 0.1%/day: 10 days x 100000 x 0.001 = 1000
    config = EngineConfig(penalty_daily_rate=Decimal("0.001"))
    p = replay(LOAN, ONE, (), through=date(2026, 1, 20), config=config).positions[0]
    assert p.penalty_accrued_minor == 1000


def test_penalty_rounds_half_up_to_the_fen() -> None:
    # principal 12345 unpaid for 1 day at 0.0005 = 6.1725 -> 6; for 3 days 18.5175 -> 19
    loan = Loan("L1", "B1", "Lender", LenderType.LICENSED, "bank", "cash", "CNY", 12345, 1800, date(2025, 12, 10))
    inst = (Instalment("L1", 1, date(2026, 1, 10), 12345, 0),)
    assert replay(loan, inst, (), through=date(2026, 1, 11)).positions[0].penalty_accrued_minor == 6
    assert replay(loan, inst, (), through=date(2026, 1, 13)).positions[0].penalty_accrued_minor == 19
    # 0.0002 x 12345 x 10 days = 24.69 -> 25; x 5 days = 12.345 -> 12
    config = EngineConfig(penalty_daily_rate=Decimal("0.0002"))
    assert replay(loan, inst, (), through=date(2026, 1, 20), config=config).positions[0].penalty_accrued_minor == 25
    assert replay(loan, inst, (), through=date(2026, 1, 15), config=config).positions[0].penalty_accrued_minor == 12


def test_waterfall_must_name_every_component_once() -> None:
    with pytest.raises(ValueError, match="waterfall"):
        EngineConfig(waterfall=(Component.PRINCIPAL, Component.PRINCIPAL, Component.FEE, Component.PENALTY))


def test_float_penalty_rate_is_refused() -> None:
    with pytest.raises(TypeError, match="Decimal"):
        EngineConfig(penalty_daily_rate=0.0005)  # type: ignore[arg-type]


def test_payment_of_another_loan_is_an_error_naming_it() -> None:
    stray = Payment("P9", "L2", datetime(2026, 1, 5, tzinfo=CST), 100)
    with pytest.raises(LedgerError, match="payment P9"):
        replay(LOAN, ONE, (stray,), through=date(2026, 1, 20))
