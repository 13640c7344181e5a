"""DPD counts from the due date of the oldest unpaid instalment; holds pause the clock.

Ledger used throughout (¥ amounts in 分): loan L1, principal 300000, three instalments of
principal 100000 + interest 2000, due 2026-01-10, 2026-02-10, 2026-03-10. Penalty 0.05%/day on unpaid
principal = 50 分 per counted day per 100000 of principal.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from arrears.delinquency import BucketScheme, DelinquencyStatus, LprTable, assess, replay
from arrears.delinquency.status import dpd_on
from arrears.domain import Hold, HoldKind, Instalment, LenderType, Loan, Payment

CST = timezone(timedelta(hours=8))
LOAN = Loan("L1", "B1", "Lender", LenderType.LICENSED, "consumer_finance", "cash", "CNY", 300000, 1800, date(2025, 12, 10))
SCHEDULE = tuple(
    Instalment("L1", seq, date(2026, m, 10), 100000, 2000) for seq, m in ((1, 1), (2, 2), (3, 3))
)


def pay(pid: str, day: date, amount: int, hour: int = 12) -> Payment:
    return Payment(pid, "L1", datetime(day.year, day.month, day.day, hour, tzinfo=CST), amount)


def hold(hid: str, start: date, end: date | None, loan_id: str | None = None, borrower: str = "B1") -> Hold:
    return Hold(hid, borrower, HoldKind.DISPUTE, start, end, "disputed amount", loan_id=loan_id)


def status(
    as_of: date,
    payments: tuple[Payment, ...] = (),
    holds: tuple[Hold, ...] = (),
    *,
    scheme: BucketScheme,
    lpr: LprTable,
) -> DelinquencyStatus:
    return assess(LOAN, SCHEDULE, payments, holds, as_of=as_of, scheme=scheme, lpr=lpr)


def test_instalment_due_today_is_not_yet_past_due(scheme: BucketScheme, lpr: LprTable) -> None:
    s = status(date(2026, 1, 10), scheme=scheme, lpr=lpr)
    assert (s.dpd, s.bucket, s.counted_from, s.overdue_principal_minor) == (0, "M0", None, 0)


def test_unpaid_instalment_is_one_day_past_due_the_day_after(scheme: BucketScheme, lpr: LprTable) -> None:
    s = status(date(2026, 1, 11), scheme=scheme, lpr=lpr)
    # 2026-01-11 - 2026-01-10 = 1 day; penalty 1 day x 100000 x 0.0005 = 50
    assert (s.dpd, s.bucket, s.counted_from) == (1, "M1", date(2026, 1, 10))
    assert (s.overdue_principal_minor, s.overdue_interest_minor, s.penalty_minor) == (100000, 2000, 50)


def test_dpd_keeps_counting_from_the_oldest_unpaid_instalment(scheme: BucketScheme, lpr: LprTable) -> None:
    s = status(date(2026, 2, 10), scheme=scheme, lpr=lpr)
    # oldest unpaid is due 01-10: Jan 11..31 = 21 days + Feb 1..10 = 10 days -> 31 -> M2.
    # Instalment 2 is due today, so it is not overdue yet: overdue principal is instalment 1 only.
    assert (s.dpd, s.bucket, s.overdue_principal_minor) == (31, "M2", 100000)
    day_before = status(date(2026, 2, 9), scheme=scheme, lpr=lpr)
    assert (day_before.dpd, day_before.bucket) == (30, "M1")


def test_paying_off_the_oldest_instalment_moves_the_count_to_the_next(scheme: BucketScheme, lpr: LprTable) -> None:
    # Paid on 01-20: penalty 01-11..01-20 = 10 days x 50 = 500; total 100000 + 2000 + 500 = 102500.
    payments = (pay("P1", date(2026, 1, 20), 102500),)
    assert status(date(2026, 1, 20), payments, scheme=scheme, lpr=lpr).dpd == 0
    s = status(date(2026, 2, 11), payments, scheme=scheme, lpr=lpr)
    # now counting from instalment 2 (due 02-10): 1 day; penalty 1 x 50 on instalment 2
    assert (s.dpd, s.counted_from, s.penalty_minor, s.overdue_principal_minor) == (1, date(2026, 2, 10), 50, 100000)


def test_partial_payment_settles_penalty_then_interest_then_principal(scheme: BucketScheme, lpr: LprTable) -> None:
    payments = (pay("P1", date(2026, 1, 20), 50000),)
    s = status(date(2026, 1, 31), payments, scheme=scheme, lpr=lpr)
    # On 01-20: penalty owed 10 days x 50 = 500 -> paid; interest 2000 -> paid; principal 50000-2500 = 47500.
    # Unpaid principal 100000 - 47500 = 52500.
    # principal-days: 01-11..01-20: 10 x 100000 = 1,000,000; 01-21..01-31: 11 x 52500 = 577,500 -> 1,577,500
    # penalty accrued = 1,577,500 x 0.0005 = 788.75 -> ROUND_HALF_UP 789; paid 500 -> 289 unpaid.
    assert (s.overdue_principal_minor, s.overdue_interest_minor, s.penalty_minor) == (52500, 0, 289)
    # A partial payment does not stop the clock: 01-11..01-31 = 21 days.
    assert s.dpd == 21


def test_payment_counts_on_the_lenders_calendar_day(scheme: BucketScheme, lpr: LprTable) -> None:
    # 2026-01-10 23:30 Beijing time is still the due date: no penalty, never past due.
    on_time = Payment("P1", "L1", datetime(2026, 1, 10, 23, 30, tzinfo=CST), 102000)
    assert status(date(2026, 1, 11), (on_time,), scheme=scheme, lpr=lpr).dpd == 0
    # 2026-01-10 16:30 UTC is 2026-01-11 00:30 Beijing: one day late, so 102000 leaves 50 of principal unpaid
    # (penalty 50 is paid first) and the instalment stays open.
    late = Payment("P1", "L1", datetime(2026, 1, 10, 16, 30, tzinfo=UTC), 102000)
    s = status(date(2026, 1, 11), (late,), scheme=scheme, lpr=lpr)
    assert (s.dpd, s.overdue_principal_minor, s.penalty_minor) == (1, 50, 0)


def test_borrower_wide_hold_pauses_dpd_and_penalty(scheme: BucketScheme, lpr: LprTable) -> None:
    h = hold("H1", date(2026, 1, 15), date(2026, 1, 25))  # paused 01-15..01-24 = 10 days (end exclusive)
    s = status(date(2026, 1, 31), holds=(h,), scheme=scheme, lpr=lpr)
    # calendar days past due 01-11..01-31 = 21; paused 10 -> DPD 11; penalty 11 x 50 = 550
    assert (s.dpd, s.paused_days, s.penalty_minor) == (11, 10, 550)


def test_hold_delays_the_move_to_the_next_bucket(scheme: BucketScheme, lpr: LprTable) -> None:
    h = hold("H1", date(2026, 1, 15), date(2026, 1, 25))
    # Without the hold DPD 31 (M2) on 02-10; with 10 paused days it is 21 (M1) and reaches 31 on 02-20.
    assert status(date(2026, 2, 10), holds=(h,), scheme=scheme, lpr=lpr).bucket == "M1"
    assert status(date(2026, 2, 19), holds=(h,), scheme=scheme, lpr=lpr).dpd == 30
    assert status(date(2026, 2, 20), holds=(h,), scheme=scheme, lpr=lpr).bucket == "M2"


def test_open_ended_hold_stops_the_clock_until_resumed(scheme: BucketScheme, lpr: LprTable) -> None:
    cease = hold("H1", date(2026, 1, 15), None)
    # counted: 01-11..01-14 = 4 days, then paused for good
    assert status(date(2026, 3, 1), holds=(cease,), scheme=scheme, lpr=lpr).dpd == 4
    # A resume is a new immutable record: the original hold with an end is a separate Hold, not an edit.
    resumed = hold("H1", date(2026, 1, 15), date(2026, 2, 1))
    # paused 01-15..01-31 = 17 days; calendar 01-11..03-01 = 21 + 28 + 1 = 50 -> 33
    assert status(date(2026, 3, 1), holds=(resumed,), scheme=scheme, lpr=lpr).dpd == 33


def test_holds_of_other_loans_and_borrowers_do_not_pause(scheme: BucketScheme, lpr: LprTable) -> None:
    others = (
        hold("H1", date(2026, 1, 15), date(2026, 1, 25), loan_id="L2"),  # same borrower, other loan
        hold("H2", date(2026, 1, 15), date(2026, 1, 25), borrower="B2"),  # other borrower
    )
    assert status(date(2026, 1, 31), holds=others, scheme=scheme, lpr=lpr).dpd == 21
    own = hold("H3", date(2026, 1, 15), date(2026, 1, 25), loan_id="L1")
    assert status(date(2026, 1, 31), holds=(own,), scheme=scheme, lpr=lpr).dpd == 11


def test_overlapping_holds_pause_each_day_once(scheme: BucketScheme, lpr: LprTable) -> None:
    hs = (hold("H1", date(2026, 1, 15), date(2026, 1, 25)), hold("H2", date(2026, 1, 20), date(2026, 1, 28)))
    # union 01-15..01-27 = 13 days; 21 - 13 = 8
    s = status(date(2026, 1, 31), holds=hs, scheme=scheme, lpr=lpr)
    assert (s.dpd, s.paused_days) == (8, 13)


def test_overpayment_is_kept_as_unapplied_credit(scheme: BucketScheme, lpr: LprTable) -> None:
    # Everything owed on 01-05 (before any due date): 3 x 102000 = 306000, no penalty. Pay 310000.
    s = status(date(2026, 4, 1), (pay("P1", date(2026, 1, 5), 310000),), scheme=scheme, lpr=lpr)
    assert (s.dpd, s.unapplied_minor, s.overdue_total_minor) == (0, 4000, 0)


def test_prepayment_goes_to_the_oldest_instalment_first() -> None:
    run = replay(LOAN, SCHEDULE, (pay("P1", date(2026, 1, 5), 150000),), through=date(2026, 1, 5))
    first, second, _ = run.positions
    # 150000: instalment 1 takes 2000 interest + 100000 principal = 102000; 48000 left -> instalment 2:
    # interest 2000, principal 46000.
    assert (first.principal_due_minor, first.interest_due_minor, first.paid_off_on) == (0, 0, date(2026, 1, 5))
    assert (second.interest_paid_minor, second.principal_paid_minor) == (2000, 46000)
    assert dpd_on(run, date(2026, 1, 5)).days == 0
