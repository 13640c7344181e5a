"""Legal-rate check: CN-RATE-1 (private, 4 x 1Y LPR at the contract date), CN-RATE-2 (licensed 24% / 36%),
CN-CRIM-1 candidate above 36%; the amount that may not be demanded.

allowance = floor(cap_bp x principal_days / (10000 x 365)); non_demandable = max(0, charged - allowance).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from arrears.delinquency import BucketScheme, LprTable, RateAction, Regime, assess, replay
from arrears.delinquency.ratecheck import principal_days_since_contract
from arrears.domain import Instalment, LenderType, Loan, Payment

CST = timezone(timedelta(hours=8))
CONTRACT = date(2025, 6, 1)  # 1Y LPR 3.00% since 2025-05-20 -> private cap 4 x 300 = 1200 bp
DUE = date(2025, 7, 1)  # 06-02..07-01 = 30 days


def _loan(lender_type: LenderType, apr_bp: int, contract: date = CONTRACT) -> Loan:
    licence = "none" if lender_type is LenderType.PRIVATE else "consumer_finance"
    return Loan("L1", "B1", "Lender", lender_type, licence, "cash", "CNY", 1000000, apr_bp, contract)


def _bullet(interest: int, due: date = DUE) -> tuple[Instalment, ...]:
    return (Instalment("L1", 1, due, 1000000, interest),)


def test_lpr_in_force_is_the_latest_publication_on_or_before_the_contract_date(lpr: LprTable) -> None:
    rates = [lpr.on(d) for d in (date(2024, 10, 20), date(2024, 10, 21), date(2026, 11, 29))]
    assert [e.rate_bp if e else None for e in rates] == [335, 310, 300]
    assert lpr.on(date(2019, 8, 19)) is None


def test_private_loan_above_four_times_lpr_flags_cn_rate_1_and_the_excess(scheme: BucketScheme, lpr: LprTable) -> None:
    # APR 18% > cap 12%. Interest for 30 days at 18%: 1,000,000 x 0.18 x 30/365 = 14794.52 -> 14795.
    s = assess(_loan(LenderType.PRIVATE, 1800), _bullet(14795), (), as_of=DUE, scheme=scheme, lpr=lpr)
    rc = s.rate_check
    assert (rc.regime, rc.cap_bp, rc.lpr_bp, rc.lpr_effective) == (Regime.FOUR_X_LPR, 1200, 300, date(2025, 5, 20))
    # principal_days = 30 x 1,000,000 = 30,000,000; allowance = floor(1200 x 30e6 / 3,650,000) = floor(9863.01)
    assert (rc.principal_days, rc.charged_minor, rc.allowance_minor) == (30_000_000, 14795, 9863)
    assert rc.non_demandable_minor == 14795 - 9863 == 4932
    assert rc.rule_ids == ("CN-RATE-1",)
    assert rc.flags[0].action is RateAction.DO_NOT_DEMAND_EXCESS
    # Unpaid interest 14795, of which 4932 may not be demanded -> 9863 may.
    assert rc.demandable_charges_outstanding_minor == 9863


def test_penalty_counts_toward_the_cap(scheme: BucketScheme, lpr: LprTable) -> None:
    # Same loan ten days later, unpaid: penalty 10 x 1,000,000 x 0.0005 = 5000; charged 14795 + 5000 = 19795.
    # principal_days 40 x 1,000,000; allowance floor(1200 x 40e6 / 3.65e6) = floor(13150.68) = 13150.
    s = assess(_loan(LenderType.PRIVATE, 1800), _bullet(14795), (), as_of=date(2025, 7, 11), scheme=scheme, lpr=lpr)
    assert (s.penalty_minor, s.rate_check.charged_minor, s.rate_check.allowance_minor) == (5000, 19795, 13150)
    assert s.rate_check.non_demandable_minor == 6645


def test_private_loan_under_the_cap_is_flagged_once_penalty_pushes_it_over(scheme: BucketScheme, lpr: LprTable) -> None:
    loan = _loan(LenderType.PRIVATE, 1000)
    # 10%: 1,000,000 x 0.10 x 30/365 = 8219.18 -> 8219 < allowance 9863: clean on the due date.
    on_due = assess(loan, _bullet(8219), (), as_of=DUE, scheme=scheme, lpr=lpr).rate_check
    assert (on_due.flags, on_due.non_demandable_minor) == ((), 0)
    # 08-31 unpaid: past due 07-02..08-31 = 30 + 31 = 61 days, penalty 61 x 500 = 30500; charged 38719.
    # principal_days 06-02..08-31 = 29 + 31 + 31 = 91 days x 1e6; allowance floor(1200 x 91e6 / 3.65e6) = 29917.
    late = assess(loan, _bullet(8219), (), as_of=date(2025, 8, 31), scheme=scheme, lpr=lpr).rate_check
    assert (late.charged_minor, late.allowance_minor, late.non_demandable_minor) == (38719, 29917, 8802)
    assert late.rule_ids == ("CN-RATE-1",)


def test_private_contract_before_the_lpr_table_uses_the_24_percent_line(scheme: BucketScheme, lpr: LprTable) -> None:
    loan = _loan(LenderType.PRIVATE, 3000, contract=date(2019, 6, 1))
    # 30%: 1e6 x 0.30 x 30/365 = 24657.53 -> 24658; allowance at 24%: floor(2400 x 30e6 / 3.65e6) = 19726
    rc = assess(loan, _bullet(24658, due=date(2019, 7, 1)), (), as_of=date(2019, 7, 1), scheme=scheme, lpr=lpr).rate_check
    assert (rc.regime, rc.cap_bp, rc.lpr_bp) == (Regime.PRE_2020, 2400, None)
    assert (rc.allowance_minor, rc.non_demandable_minor, rc.rule_ids) == (19726, 24658 - 19726, ("CN-RATE-1",))


def test_licensed_lender_between_24_and_36_percent_is_review_only(scheme: BucketScheme, lpr: LprTable) -> None:
    # 30%: interest 24658; cap 36%: floor(3600 x 30e6 / 3.65e6) = floor(29589.04) = 29589 > 24658.
    rc = assess(_loan(LenderType.LICENSED, 3000), _bullet(24658), (), as_of=DUE, scheme=scheme, lpr=lpr).rate_check
    assert (rc.regime, rc.cap_bp, rc.allowance_minor, rc.non_demandable_minor) == (Regime.LICENSED, 3600, 29589, 0)
    assert [(f.rule_id, f.action) for f in rc.flags] == [("CN-RATE-2", RateAction.REVIEW)]


def test_licensed_lender_above_36_percent_loses_the_excess_and_goes_to_legal(scheme: BucketScheme, lpr: LprTable) -> None:
    # 48%: 1e6 x 0.48 x 30/365 = 39452.05 -> 39452; allowance 29589; not demandable 39452 - 29589 = 9863.
    rc = assess(_loan(LenderType.LICENSED, 4800), _bullet(39452), (), as_of=DUE, scheme=scheme, lpr=lpr).rate_check
    assert rc.non_demandable_minor == 9863
    assert [(f.rule_id, f.action) for f in rc.flags] == [
        ("CN-RATE-2", RateAction.REVIEW),
        ("CN-RATE-2", RateAction.DO_NOT_DEMAND_EXCESS),
        ("CN-CRIM-1", RateAction.REVIEW),
    ]
    assert all(f.reason_zh and f.reason_en for f in rc.flags)


def test_licensed_lender_at_18_percent_is_clean(scheme: BucketScheme, lpr: LprTable) -> None:
    rc = assess(_loan(LenderType.LICENSED, 1800), _bullet(14795), (), as_of=DUE, scheme=scheme, lpr=lpr).rate_check
    assert (rc.flags, rc.non_demandable_minor) == ((), 0)


def test_repaid_principal_stops_earning_allowance() -> None:
    loan = _loan(LenderType.PRIVATE, 1000)
    sched = (
        Instalment("L1", 1, date(2025, 7, 1), 500000, 4110),
        Instalment("L1", 2, date(2025, 7, 31), 500000, 4110),
    )
    paid = (Payment("P1", "L1", datetime(2025, 7, 1, 10, tzinfo=CST), 504110),)
    run = replay(loan, sched, paid, through=date(2025, 7, 31))
    # 06-02..07-01: 30 days x 1,000,000 = 30e6; 07-02..07-31: 30 days x 500,000 = 15e6 -> 45e6
    assert principal_days_since_contract(run, date(2025, 7, 31)) == 45_000_000


def test_contract_on_the_2020_rule_change_caps_private_lending_at_15_point_4_percent(lpr: LprTable) -> None:
    # 2020-08-20 (SPC revision): 1Y LPR 3.85% since 2020-04-20 -> 4 x 385 = 1540 bp = 15.4%.
    entry = lpr.on(date(2020, 8, 20))
    assert entry is not None and 4 * entry.rate_bp == 1540
