"""Dated bucket history (spells) and roll rates computed from histories."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from fractions import Fraction

from arrears.delinquency import (
    BucketHistory,
    BucketScheme,
    BucketSpell,
    bucket_history,
    monthly_roll_rates,
    roll_rates,
)
from arrears.domain import Hold, HoldKind, Instalment, LenderType, Loan, Payment

CST = timezone(timedelta(hours=8))


def _loan(loan_id: str) -> Loan:
    return Loan(loan_id, "B-" + loan_id, "Lender", LenderType.LICENSED, "bank", "cash", "CNY", 100000, 1800, date(2025, 12, 1))


def _one(loan_id: str, due: date) -> tuple[Instalment, ...]:
    return (Instalment(loan_id, 1, due, 100000, 2000),)


def _pay(loan_id: str, day: date, amount: int) -> Payment:
    return Payment("P-" + loan_id, loan_id, datetime(day.year, day.month, day.day, 10, tzinfo=CST), amount)


def test_history_records_each_bucket_change_with_its_date(scheme: BucketScheme) -> None:
    loan = _loan("L1")
    # Due 01-10. Hold 01-20..01-29 (end 01-30 exclusive) = 10 paused days. Paid in full on 03-05:
    # calendar days 01-11..03-05 = 21 + 28 + 5 = 54, paused 10 -> 44 counted days x 50 penalty = 2200,
    # so the payment is 100000 + 2000 + 2200 = 104200.
    hold = Hold("H1", "B-L1", HoldKind.HARDSHIP, date(2026, 1, 20), date(2026, 1, 30), "hardship")
    h = bucket_history(
        loan,
        _one("L1", date(2026, 1, 10)),
        (_pay("L1", date(2026, 3, 5), 104200),),
        (hold,),
        first=date(2026, 1, 1),
        last=date(2026, 3, 31),
        scheme=scheme,
    )
    # M1 from 01-11 (DPD 1). DPD 31: 01-11..01-19 = 9 counted, paused to 01-29, then 22 more: 01-30..02-20.
    # M0 again on 03-05, the day it is paid off.
    assert h.spells == (
        BucketSpell("M0", date(2026, 1, 1), date(2026, 1, 11)),
        BucketSpell("M1", date(2026, 1, 11), date(2026, 2, 20)),
        BucketSpell("M2", date(2026, 2, 20), date(2026, 3, 5)),
        BucketSpell("M0", date(2026, 3, 5), None),
    )
    assert (h.bucket_on(date(2026, 2, 19)), h.bucket_on(date(2026, 2, 20)), h.bucket_on(date(2026, 4, 1))) == (
        "M1",
        "M2",
        None,
    )


def test_history_starting_mid_delinquency_opens_in_the_current_bucket(scheme: BucketScheme) -> None:
    # Due 01-10, never paid. On 03-01 DPD = 21 + 28 + 1 = 50 (M2); DPD 61 on 03-12 (M3); 91 on 04-11 (M4).
    h = bucket_history(
        _loan("L1"), _one("L1", date(2026, 1, 10)), (), first=date(2026, 3, 1), last=date(2026, 4, 30), scheme=scheme
    )
    assert h.spells == (
        BucketSpell("M2", date(2026, 3, 1), date(2026, 3, 12)),
        BucketSpell("M3", date(2026, 3, 12), date(2026, 4, 11)),
        BucketSpell("M4", date(2026, 4, 11), None),
    )


def _histories(scheme: BucketScheme) -> list[BucketHistory]:
    first, last = date(2026, 1, 1), date(2026, 3, 31)
    return [
        # A: due 01-15, never pays. 01-31: DPD 16 (M1). 02-28: 16 + 28 = 44 (M2).
        bucket_history(_loan("A"), _one("A", date(2026, 1, 15)), (), first=first, last=last, scheme=scheme),
        # B: due 01-15, pays in full 02-10 (26 days x 50 = 1300 penalty): 01-31 M1, 02-28 M0.
        bucket_history(
            _loan("B"), _one("B", date(2026, 1, 15)), (_pay("B", date(2026, 2, 10), 103300),),
            first=first, last=last, scheme=scheme,
        ),
        # C: due 01-20, never pays. 01-31: DPD 11 (M1). 02-28: 11 + 28 = 39 (M2).
        bucket_history(_loan("C"), _one("C", date(2026, 1, 20)), (), first=first, last=last, scheme=scheme),
        # D: due 03-15: M0 at both dates.
        bucket_history(_loan("D"), _one("D", date(2026, 3, 15)), (), first=first, last=last, scheme=scheme),
    ]  # fmt: skip


def test_roll_rate_is_the_share_of_a_bucket_that_moves_to_another(scheme: BucketScheme) -> None:
    m = roll_rates(_histories(scheme), start=date(2026, 1, 31), end=date(2026, 2, 28), buckets=scheme.names)
    # M1 on 01-31: A, B, C. On 02-28: A -> M2, B -> M0, C -> M2. So M1->M2 = 2/3, M1->M0 (cure) = 1/3.
    assert (m.row_total("M1"), m.count("M1", "M2"), m.count("M1", "M0")) == (3, 2, 1)
    assert (m.share("M1", "M2"), m.share("M1", "M0"), m.share("M0", "M0")) == (Fraction(2, 3), Fraction(1, 3), Fraction(1))
    assert m.share("M3", "M4") is None  # nobody was in M3


def test_monthly_roll_rates_chain_consecutive_month_ends(scheme: BucketScheme) -> None:
    ends = (date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31))
    jan_feb, feb_mar = monthly_roll_rates(_histories(scheme), month_ends=ends, buckets=scheme.names)
    assert jan_feb.count("M1", "M2") == 2
    # 03-31: A DPD 44 + 31 = 75 (M3); C 39 + 31 = 70 (M3); B stays M0; D due 03-15 -> DPD 16 (M1).
    assert (feb_mar.count("M2", "M3"), feb_mar.count("M0", "M0"), feb_mar.count("M0", "M1")) == (2, 1, 1)
