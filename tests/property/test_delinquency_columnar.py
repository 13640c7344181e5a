"""The column-wise engine agrees with the scalar engine (the oracle) on generated portfolios."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.delinquency import Component, EngineConfig, assess, load_bucket_scheme, load_lpr_table
from arrears.delinquency.columnar import assess_columnar, assess_columnar_at, columnar_from_domain
from arrears.domain import Hold, HoldKind, Instalment, LenderType, Loan, Payment

CST = timezone(timedelta(hours=8))
BASE = date(2026, 1, 1)
SCHEME = load_bucket_scheme()
LPR = load_lpr_table()


Portfolio = tuple[list[Loan], list[Instalment], list[Payment], list[Hold]]


@st.composite
def portfolios(draw: st.DrawFn) -> Portfolio:
    loans: list[Loan] = []
    insts: list[Instalment] = []
    pays: list[Payment] = []
    holds: list[Hold] = []
    for n in range(draw(st.integers(1, 6))):
        lid, bid = f"L{n}", f"B{draw(st.integers(0, 2))}"  # borrowers shared: borrower-wide holds span loans
        due = BASE
        total = 0
        for seq in range(1, draw(st.integers(0, 4)) + 1):
            due += timedelta(days=draw(st.integers(0, 40)))
            p = draw(st.integers(0, 50000))
            total += p
            insts.append(Instalment(lid, seq, due, p, draw(st.integers(0, 3000)), draw(st.integers(0, 500))))
        loans.append(Loan(lid, bid, "X", LenderType.LICENSED, "bank", "p", "CNY", max(total, 1), 1500, BASE))
        for k in range(draw(st.integers(0, 5))):
            at = datetime.combine(BASE, datetime.min.time(), CST) + timedelta(
                hours=draw(st.integers(-100, 3600))
            )
            pays.append(Payment(f"{lid}P{k}", lid, at, draw(st.integers(1, 60000))))
    for k in range(draw(st.integers(0, 5))):
        start = BASE + timedelta(days=draw(st.integers(-5, 150)))
        length = draw(st.one_of(st.none(), st.integers(0, 40)))
        holds.append(
            Hold(
                f"H{k}",
                f"B{draw(st.integers(0, 2))}",
                HoldKind.HARDSHIP,
                start,
                None if length is None else start + timedelta(days=length),
                "r",
                loan_id=draw(st.sampled_from([None, "L0", "L1"])),
            )
        )
    return loans, insts, pays, holds


CONFIGS = st.sampled_from(
    [
        EngineConfig(),
        EngineConfig(penalty_daily_rate=Decimal("0.00033")),
        EngineConfig(waterfall=(Component.PRINCIPAL, Component.INTEREST, Component.FEE, Component.PENALTY)),
    ]
)


@settings(max_examples=150, deadline=None)
@given(portfolios(), st.integers(-3, 170), CONFIGS)
def test_columnar_matches_scalar_engine(portfolio: Portfolio, offset: int, config: EngineConfig) -> None:
    loans, insts, pays, holds = portfolio
    as_of = BASE + timedelta(days=offset)
    col = assess_columnar(
        columnar_from_domain(loans, insts, pays, holds, config), as_of=as_of, scheme=SCHEME, config=config
    )
    for k, loan in enumerate(loans):
        s = assess(
            loan,
            [i for i in insts if i.loan_id == loan.id],
            [p for p in pays if p.loan_id == loan.id],
            holds,
            as_of=as_of,
            scheme=SCHEME,
            lpr=LPR,
            config=config,
        )
        got = (
            int(col.dpd[k]),
            col.bucket[k],
            int(col.overdue_principal_minor[k]),
            int(col.overdue_interest_minor[k]),
            int(col.overdue_fee_minor[k]),
            int(col.penalty_minor[k]),
            int(col.paused_days[k]),
            int(col.unapplied_minor[k]),
        )
        want = (
            s.dpd,
            s.bucket,
            s.overdue_principal_minor,
            s.overdue_interest_minor,
            s.overdue_fee_minor,
            s.penalty_minor,
            s.paused_days,
            s.unapplied_minor,
        )
        assert got == want, loan.id


@settings(max_examples=100, deadline=None)
@given(portfolios(), st.integers(-3, 170), st.integers(0, 40), CONFIGS)
def test_one_replay_at_two_days_equals_two_assessments(
    portfolio: Portfolio, offset: int, gap: int, config: EngineConfig
) -> None:
    loans, insts, pays, holds = portfolio
    ledger = columnar_from_domain(loans, insts, pays, holds, config)
    first, second = BASE + timedelta(days=offset), BASE + timedelta(days=offset + gap)
    both = assess_columnar_at(ledger, (first, second), scheme=SCHEME, config=config)
    for day, got in zip((first, second), both, strict=True):
        want = assess_columnar(ledger, as_of=day, scheme=SCHEME, config=config)
        assert got.as_of == day
        for name in ("dpd", "bucket_codes", "overdue_principal_minor", "overdue_interest_minor",
                     "overdue_fee_minor", "penalty_minor", "paused_days", "unapplied_minor"):  # fmt: skip
            assert np.array_equal(getattr(got, name), getattr(want, name)), (day, name)


def test_days_out_of_order_are_refused() -> None:
    loans = [Loan("L0", "B0", "X", LenderType.LICENSED, "bank", "p", "CNY", 100, 1500, BASE)]
    ledger = columnar_from_domain(loans, [Instalment("L0", 1, BASE, 100, 0)], [], [])
    try:
        assess_columnar_at(ledger, (date(2026, 2, 2), date(2026, 2, 1)), scheme=SCHEME)
    except ValueError as exc:
        assert "ascending" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("days out of order were accepted")


def test_columnar_worked_example_two_loans() -> None:
    # L0: one instalment due 01-10 (100000 + 2000), unpaid, borrower-wide hold 01-15..01-24 (10 days).
    #     As of 01-31: 21 calendar days - 10 paused = DPD 11 (M1); penalty 11 x 50 = 550.
    # L1: same schedule, paid 102000 on the due date: DPD 0 (M0), nothing overdue.
    loans = [
        Loan(f"L{k}", f"B{k}", "X", LenderType.LICENSED, "bank", "p", "CNY", 100000, 1500, BASE)
        for k in (0, 1)
    ]
    insts = [Instalment(f"L{k}", 1, date(2026, 1, 10), 100000, 2000) for k in (0, 1)]
    pays = [Payment("P1", "L1", datetime(2026, 1, 10, 20, tzinfo=CST), 102000)]
    holds = [Hold("H", "B0", HoldKind.DISPUTE, date(2026, 1, 15), date(2026, 1, 25), "r")]
    col = assess_columnar(
        columnar_from_domain(loans, insts, pays, holds), as_of=date(2026, 1, 31), scheme=SCHEME
    )
    assert col.dpd.tolist() == [11, 0]
    assert col.bucket == ("M1", "M0")
    assert np.array_equal(col.penalty_minor, np.array([550, 0]))
    assert col.overdue_principal_minor.tolist() == [100000, 0]


def test_columnar_counts_disjoint_and_overlapping_holds_once_each() -> None:
    # Due 01-10, unpaid. Holds: 01-12 (1 day), 01-20..01-21 and 01-21..01-23 overlapping (01-20..01-22 = 3 days),
    # open-ended from 01-30. Counted days 01-11..01-31: 21 calendar - 1 - 3 - 2 (01-30, 01-31) = 15.
    loans = [Loan("L0", "B0", "X", LenderType.LICENSED, "bank", "p", "CNY", 100000, 1500, BASE)]
    insts = [Instalment("L0", 1, date(2026, 1, 10), 100000, 0)]
    spans = ((date(2026, 1, 12), date(2026, 1, 13)), (date(2026, 1, 20), date(2026, 1, 22)),
             (date(2026, 1, 21), date(2026, 1, 23)), (date(2026, 1, 30), None))  # fmt: skip
    holds = [Hold(f"H{k}", "B0", HoldKind.DISPUTE, s, e, "r") for k, (s, e) in enumerate(spans)]
    col = assess_columnar(
        columnar_from_domain(loans, insts, [], holds), as_of=date(2026, 1, 31), scheme=SCHEME
    )
    assert (int(col.dpd[0]), int(col.paused_days[0])) == (15, 6)
    scalar = assess(loans[0], insts, [], holds, as_of=date(2026, 1, 31), scheme=SCHEME, lpr=LPR)
    assert (scalar.dpd, scalar.paused_days) == (15, 6)
